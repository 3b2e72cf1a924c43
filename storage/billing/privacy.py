"""Billing's personal data. Entitlements are records of money: they are exported and kept
(Stripe keeps the payment records too); the role outbox's rows are the roles feature's."""

from __future__ import annotations

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from storage.billing.models import Entitlement
from storage.privacy import rows_of

TABLES = ("entitlements",)


async def export_member(session: AsyncSession, guild_id: int, user_id: int) -> dict[str, Any]:
    """Entitlements with their Stripe ids and statuses."""
    return {"entitlements": await rows_of(session, Entitlement, guild_id, user_id)}


async def forget_member(session: AsyncSession, guild_id: int, user_id: int) -> int:
    """Nothing: entitlements are kept as the record of what was paid for."""
    return 0
