"""Retention of the raw log: purge rows already rolled up, and close the days they covered.

A closed day keeps its rollups (member days, weeks, guild totals) and is never cleared or
refilled from the log again, so a rebuild after a purge cannot lose what was purged.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, insert, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.stats import tables as t
from storage.stats.sql import as_utc, execute


async def closed_before(session: AsyncSession) -> dict[int, datetime]:
    """Each guild's retention horizon: days before it are closed."""
    r = t.retention
    result = await execute(session, select(r.c.guild_id, r.c.closed_before))
    return {int(g): as_utc(at) for g, at in result.all()}


async def close_before(session: AsyncSession, guild_id: int, before: datetime) -> None:
    """Move the guild's horizon forward to `before` (never back)."""
    known = (await closed_before(session)).get(guild_id)
    r = t.retention
    if known is None:
        await execute(session, insert(r).values(guild_id=guild_id, closed_before=before))
    elif before > known:
        await execute(
            session, update(r).where(r.c.guild_id == guild_id).values(closed_before=before)
        )


async def purge_interactions(
    session: AsyncSession,
    guild_id: int,
    before: datetime,
    upto_id: int | None,
    keep_kinds: Iterable[str],
) -> int:
    """Delete the guild's log rows older than `before` (only ids <= `upto_id`, the rows the
    rollups have read, when given), except the kinds kept; how many went."""
    i = t.interactions
    where = [i.c.guild_id == guild_id, i.c.at < before, i.c.kind.not_in(list(keep_kinds))]
    if upto_id is not None:
        where.append(i.c.id <= upto_id)
    result = await execute(session, delete(i).where(*where))
    return int(result.rowcount or 0)
