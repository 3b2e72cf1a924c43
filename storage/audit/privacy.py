"""The audit trail names members as actors and targets; it is exported, and kept (it is
the record of who used power over whom) with the member's id as it was."""

from __future__ import annotations

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from storage.audit.models import AuditEntry
from storage.privacy import rows_of

TABLES = ("audit_log",)


async def export_member(session: AsyncSession, guild_id: int, user_id: int) -> dict[str, Any]:
    """Entries the member made, and entries about them."""
    return {
        "by_member": await rows_of(session, AuditEntry, guild_id, user_id, "actor_id"),
        "about_member": await rows_of(session, AuditEntry, guild_id, user_id, "target_user_id"),
    }


async def forget_member(session: AsyncSession, guild_id: int, user_id: int) -> int:
    """Nothing is deleted: moderators' actions stay accountable."""
    return 0
