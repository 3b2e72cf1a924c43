"""Stored weekly reports: their numbers, and whether (and where) they were posted."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, update
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.stats import tables as t
from storage.stats.models import Report
from storage.stats.sql import execute

_reports = t.reports


async def get(session: AsyncSession, guild_id: int, week: str) -> Report | None:
    """The stored report of one week, if any."""
    result = await session.exec(
        select(Report).where(Report.guild_id == guild_id, Report.week == week)
    )
    return result.first()


async def save_numbers(
    session: AsyncSession, guild_id: int, week: str, numbers: dict[str, Any], at: datetime
) -> None:
    """Store (or refresh) a week's numbers; the posting state is kept."""
    changed = await execute(
        session,
        update(_reports)
        .where(_reports.c.guild_id == guild_id, _reports.c.week == week)
        .values(numbers=numbers, created_at=at),
    )
    if changed.rowcount == 0:
        await execute(
            session,
            insert(_reports).values(guild_id=guild_id, week=week, numbers=numbers, created_at=at),
        )


async def claim_post(session: AsyncSession, guild_id: int, week: str, at: datetime) -> bool:
    """Mark a week's report as being posted; False when it already was (or is being)."""
    changed = await execute(
        session,
        update(_reports)
        .where(
            _reports.c.guild_id == guild_id,
            _reports.c.week == week,
            _reports.c.posted_at.is_(None),
        )
        .values(posted_at=at),
    )
    return bool(changed.rowcount == 1)


async def mark_posted(session: AsyncSession, guild_id: int, week: str, message_id: int) -> None:
    """Record the message the report was posted as."""
    await execute(
        session,
        update(_reports)
        .where(_reports.c.guild_id == guild_id, _reports.c.week == week)
        .values(message_id=message_id),
    )


async def release_claim(session: AsyncSession, guild_id: int, week: str) -> None:
    """Undo a claim whose post failed, so a later attempt posts it."""
    await execute(
        session,
        update(_reports)
        .where(
            _reports.c.guild_id == guild_id,
            _reports.c.week == week,
            _reports.c.message_id.is_(None),
        )
        .values(posted_at=None),
    )
