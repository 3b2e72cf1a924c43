"""Top helpers of a week, from the points feature's weekly balances (members who hid from
the boards are left out)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.points.periods import week_key
from storage.schema import load_models
from storage.stats.sql import execute

load_models()


async def top_helpers(
    session: AsyncSession, guild_id: int, monday: date, limit: int
) -> list[tuple[int, int]]:
    """(user id, points earned) of the week starting `monday`, most first."""
    balances = SQLModel.metadata.tables["points_balances"]
    members = SQLModel.metadata.tables["points_members"]
    hidden = (
        select(members.c.user_id)
        .where(members.c.guild_id == guild_id, members.c.hidden.is_(True))
        .scalar_subquery()
    )
    result = await execute(
        session,
        select(balances.c.user_id, balances.c.points)
        .where(
            balances.c.guild_id == guild_id,
            balances.c.period == week_key(monday),
            balances.c.points > 0,
            balances.c.user_id.not_in(hidden),
        )
        .order_by(balances.c.points.desc(), balances.c.user_id)
        .limit(limit),
    )
    return [(int(user_id), int(points)) for user_id, points in result.all()]
