"""Billing's personal data. Entitlements, disputes and Stripe events are records of money:
they are exported and kept (Stripe keeps the payment records too); what only served to
move roles or send messages is deleted."""

from __future__ import annotations

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from storage.billing.models import Entitlement
from storage.notices.models import BillingNotice
from storage.privacy import delete_rows, rows_of
from storage.roles.models import ManagedRole, RoleChange

TABLES = ("entitlements", "role_changes", "managed_roles", "billing_notices")


async def export_member(session: AsyncSession, guild_id: int, user_id: int) -> dict[str, Any]:
    """Entitlements with their Stripe ids, pending role changes and queued notices."""
    return {
        "entitlements": await rows_of(session, Entitlement, guild_id, user_id),
        "role_changes": await rows_of(session, RoleChange, guild_id, user_id),
        "managed_roles": await rows_of(session, ManagedRole, guild_id, user_id),
        "notices": await rows_of(session, BillingNotice, guild_id, user_id),
    }


async def forget_member(session: AsyncSession, guild_id: int, user_id: int) -> int:
    """Delete role changes, managed-role marks and notices; entitlements are kept."""
    removed = 0
    for model in (RoleChange, ManagedRole, BillingNotice):
        removed += await delete_rows(session, model, guild_id, user_id)
    return removed
