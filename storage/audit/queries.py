"""Queries on the audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import or_, update
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


async def unposted_entries(session: AsyncSession, limit: int) -> list[AuditEntry]:
    """Entries not yet posted to a moderators' log, oldest first."""
    result = await session.exec(
        select(AuditEntry)
        .where(col(AuditEntry.posted_at).is_(None))
        .order_by(col(AuditEntry.id))
        .limit(limit)
    )
    return list(result.all())


async def mark_posted(session: AsyncSession, entry_ids: list[int], at: datetime) -> None:
    """Note that these entries reached (or need not reach) the moderators' log."""
    if not entry_ids:
        return
    await session.exec(
        update(AuditEntry).where(col(AuditEntry.id).in_(entry_ids)).values(posted_at=at)
    )


async def find_entries(
    session: AsyncSession,
    guild_id: int,
    *,
    user_id: int | None = None,
    action: str | None = None,
    limit: int = 20,
) -> list[AuditEntry]:
    """The guild's newest entries, optionally by or about one member and of one action."""
    query = select(AuditEntry).where(AuditEntry.guild_id == guild_id)
    if user_id is not None:
        query = query.where(
            or_(col(AuditEntry.actor_id) == user_id, col(AuditEntry.target_user_id) == user_id)
        )
    if action is not None:
        query = query.where(AuditEntry.action == action)
    result = await session.exec(query.order_by(col(AuditEntry.id).desc()).limit(limit))
    return list(result.all())


async def action_names(session: AsyncSession, guild_id: int, typed: str, limit: int) -> list[str]:
    """The actions recorded in the guild whose name contains `typed`."""
    query = select(AuditEntry.action).where(AuditEntry.guild_id == guild_id).distinct()
    if typed:
        query = query.where(col(AuditEntry.action).contains(typed))
    result = await session.exec(query.order_by(col(AuditEntry.action)).limit(limit))
    return list(result.all())
