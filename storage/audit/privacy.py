"""The audit trail names members as actors and targets; it is exported, and kept (it is
the record of who used power over whom) with a pseudonym in place of the member's id."""

from __future__ import annotations

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from storage.audit.models import AuditEntry
from storage.privacy import Erasure, pseudonymise_rows, rewrite_mentions, rows_of

TABLES = ("audit_log",)
KEPT = {
    "audit_log": "Moderator and owner actions stay accountable: the entries are kept, with a "
    "pseudonym in place of your Discord id.",
}


async def export_member(session: AsyncSession, guild_id: int, user_id: int) -> dict[str, Any]:
    """Entries the member made, and entries about them."""
    return {
        "by_member": await rows_of(session, AuditEntry, guild_id, user_id, "actor_id"),
        "about_member": await rows_of(session, AuditEntry, guild_id, user_id, "target_user_id"),
    }


async def forget_member(session: AsyncSession, erasure: Erasure) -> int:
    """Keep the entries; the member's id becomes the pseudonym (in the details too)."""
    changed = await pseudonymise_rows(session, AuditEntry, erasure, ("actor_id", "target_user_id"))
    return changed + await rewrite_mentions(session, AuditEntry, "details", erasure)
