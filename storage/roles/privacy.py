"""The role outbox's personal data: changes queued for a member, the roles the bot gave
them, and the notices queued for them. Deleted on request (they only served to act);
notices to the moderators that mention the member keep their text with the pseudonym."""

from __future__ import annotations

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from storage.notices.models import BillingNotice
from storage.privacy import Erasure, delete_rows, rewrite_mentions, rows_of
from storage.roles.models import ManagedRole, RoleChange

TABLES = ("role_changes", "managed_roles", "billing_notices")
_MODELS = (RoleChange, ManagedRole, BillingNotice)


async def export_member(session: AsyncSession, guild_id: int, user_id: int) -> dict[str, Any]:
    """Queued role changes, roles the bot manages on the member, queued notices."""
    return {
        str(model.__tablename__): await rows_of(session, model, guild_id, user_id)
        for model in _MODELS
    }


async def forget_member(session: AsyncSession, erasure: Erasure) -> int:
    """Delete them all; other rows that name the member get the pseudonym instead."""
    removed = 0
    for model in _MODELS:
        removed += await delete_rows(session, model, erasure.guild_id, erasure.user_id)
    removed += await rewrite_mentions(session, BillingNotice, "text", erasure)
    return removed + await rewrite_mentions(session, RoleChange, "reason", erasure)
