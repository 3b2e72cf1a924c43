"""The week's feedback count, read from the feedback feature's table."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.schema import load_models
from storage.stats.sql import execute

load_models()


async def feedback_between(
    session: AsyncSession, guild_id: int, start: datetime, end: datetime
) -> int:
    """How much feedback members sent in [start, end)."""
    feedback = SQLModel.metadata.tables["feedback"]
    query = (
        select(func.count())
        .select_from(feedback)
        .where(
            feedback.c.guild_id == guild_id,
            feedback.c.created_at >= start,
            feedback.c.created_at < end,
        )
    )
    result = await execute(session, query)
    return int(result.scalar_one())
