"""The stats rollups hold per-member days, weeks and spans derived from the log."""

from __future__ import annotations

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from storage.privacy import delete_rows, rows_of
from storage.stats.models import (
    StatsEvent,
    StatsMemberDay,
    StatsMemberFirst,
    StatsMemberSpan,
    StatsMemberWeek,
    StatsPaidSpan,
)

_PER_MEMBER = (
    StatsEvent,
    StatsMemberDay,
    StatsMemberWeek,
    StatsMemberFirst,
    StatsMemberSpan,
    StatsPaidSpan,
)
TABLES = tuple(str(model.__tablename__) for model in _PER_MEMBER)


async def export_member(session: AsyncSession, guild_id: int, user_id: int) -> dict[str, Any]:
    """The member's rollup rows, table by table."""
    return {
        str(model.__tablename__): await rows_of(session, model, guild_id, user_id)
        for model in _PER_MEMBER
    }


async def forget_member(session: AsyncSession, guild_id: int, user_id: int) -> int:
    """Delete the member's rollup rows (guild totals are rebuilt from the log)."""
    removed = 0
    for model in _PER_MEMBER:
        removed += await delete_rows(session, model, guild_id, user_id)
    return removed
