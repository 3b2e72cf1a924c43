"""Q&A reads for the weekly report beyond the week's own questions: the queue, outcomes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.stats import tables as t
from storage.stats.sql import execute

_q = t.questions


async def unanswered_at(session: AsyncSession, guild_id: int, end: datetime) -> int:
    """Questions asked before `end` that, at `end`, had no answer and were not closed."""
    result = await execute(
        session,
        select(func.count()).where(
            _q.c.guild_id == guild_id,
            _q.c.created_at < end,
            or_(_q.c.first_answer_at.is_(None), _q.c.first_answer_at >= end),
            or_(_q.c.closed_at.is_(None), _q.c.closed_at >= end),
            or_(_q.c.solved_at.is_(None), _q.c.solved_at >= end),
        ),
    )
    return int(result.scalar_one())


async def close_outcomes(
    session: AsyncSession, guild_id: int, start: datetime, end: datetime
) -> dict[str, int]:
    """How the questions closed in the week were closed (reason -> count); solved included."""
    closed = await execute(
        session,
        select(_q.c.close_reason, func.count())
        .where(_q.c.guild_id == guild_id, _q.c.closed_at >= start, _q.c.closed_at < end)
        .group_by(_q.c.close_reason),
    )
    outcomes = {str(reason): int(n) for reason, n in closed.all() if reason is not None}
    solved = await execute(
        session,
        select(func.count()).where(
            _q.c.guild_id == guild_id, _q.c.solved_at >= start, _q.c.solved_at < end
        ),
    )
    count = int(solved.scalar_one())
    return {"solved": count, **outcomes} if count else outcomes
