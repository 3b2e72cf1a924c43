"""The stats rollups hold per-member days, weeks and spans derived from the log.

A deletion keeps them under the pseudonym (as the log is kept), so every weekly number
computed before is computed the same after; stored reports that named the member (top
answerers) name the pseudonym instead.
"""

from __future__ import annotations

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from storage.privacy import Erasure, pseudonymise_rows, rewrite_mentions, rows_of
from storage.stats.models import (
    Report,
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
KEPT = {
    "stats_member_days": "Statistics: your activity counts stay, under a pseudonym, so the "
    "community's past numbers do not change.",
}


async def export_member(session: AsyncSession, guild_id: int, user_id: int) -> dict[str, Any]:
    """The member's rollup rows, table by table."""
    return {
        str(model.__tablename__): await rows_of(session, model, guild_id, user_id)
        for model in _PER_MEMBER
    }


async def forget_member(session: AsyncSession, erasure: Erasure) -> int:
    """Put the pseudonym in place of the member in every rollup and stored report."""
    changed = 0
    for model in _PER_MEMBER:
        changed += await pseudonymise_rows(session, model, erasure)
    changed += await rewrite_mentions(session, StatsEvent, "meta", erasure, key="interaction_id")
    return changed + await rewrite_mentions(session, Report, "numbers", erasure)
