"""Queries on the audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.audit.models import AuditEntry


async def add_audit(
    session: AsyncSession,
    guild_id: int,
    actor_id: int,
    action: str,
    at: datetime,
    *,
    target_user_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Record who did what to whom."""
    entry = AuditEntry(
        guild_id=guild_id,
        actor_id=actor_id,
        action=action,
        target_user_id=target_user_id,
        details=details,
        created_at=at,
    )
    session.add(entry)
    return entry


async def audit_entries(session: AsyncSession, guild_id: int) -> list[AuditEntry]:
    """The guild's audit trail, oldest first."""
    result = await session.exec(
        select(AuditEntry).where(AuditEntry.guild_id == guild_id).order_by(col(AuditEntry.id))
    )
    return list(result.all())
