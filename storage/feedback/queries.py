"""Queries on feedback."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.feedback.models import Feedback


async def add_feedback(
    session: AsyncSession, guild_id: int, user_id: int, text: str, at: datetime
) -> Feedback:
    """Store a member's feedback; its id is set on return."""
    row = Feedback(guild_id=guild_id, user_id=user_id, text=text, created_at=at)
    session.add(row)
    await session.flush()
    return row


async def unposted(session: AsyncSession, limit: int) -> list[Feedback]:
    """Feedback not yet posted to a moderators' log, oldest first."""
    result = await session.exec(
        select(Feedback)
        .where(col(Feedback.posted_at).is_(None))
        .order_by(col(Feedback.id))
        .limit(limit)
    )
    return list(result.all())


async def mark_posted(session: AsyncSession, feedback_id: int, at: datetime) -> None:
    """Note that this feedback reached (or need not reach) the moderators' log."""
    await session.exec(update(Feedback).where(col(Feedback.id) == feedback_id).values(posted_at=at))


async def newest(session: AsyncSession, guild_id: int, limit: int) -> list[Feedback]:
    """The guild's newest feedback first."""
    result = await session.exec(
        select(Feedback)
        .where(Feedback.guild_id == guild_id)
        .order_by(col(Feedback.id).desc())
        .limit(limit)
    )
    return list(result.all())


async def count_between(
    session: AsyncSession, guild_id: int, start: datetime, end: datetime
) -> int:
    """How much feedback arrived in [start, end)."""
    result = await session.exec(
        select(func.count())
        .select_from(Feedback)
        .where(
            Feedback.guild_id == guild_id,
            col(Feedback.created_at) >= start,
            col(Feedback.created_at) < end,
        )
    )
    return int(result.one())
