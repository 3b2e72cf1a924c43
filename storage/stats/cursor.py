"""The stats refresh cursor and the reads of the interaction log rows written past it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime

from sqlalchemy import func, insert, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.stats import tables as t
from storage.stats.sql import execute


async def lock_cursor(session: AsyncSession) -> tuple[int, int]:
    """(last interaction id read, rows counted below it), locked for this transaction."""
    result = await execute(
        session,
        select(t.stats_cursor.c.last_interaction_id, t.stats_cursor.c.window_rows)
        .where(t.stats_cursor.c.id == 1)
        .with_for_update(),
    )
    row = result.one_or_none()
    if row is None:
        await execute(session, insert(t.stats_cursor).values(id=1, last_interaction_id=0))
        return 0, 0
    return int(row[0]), int(row[1])


async def set_cursor(session: AsyncSession, last_id: int, window_rows: int, at: datetime) -> None:
    """Record how far the rollups have read."""
    await execute(
        session,
        update(t.stats_cursor)
        .where(t.stats_cursor.c.id == 1)
        .values(last_interaction_id=last_id, window_rows=window_rows, refreshed_at=at),
    )


async def rows_between(session: AsyncSession, after_id: int, upto_id: int) -> int:
    """How many interactions have after_id < id <= upto_id."""
    result = await execute(
        session,
        select(func.count()).where(t.interactions.c.id > after_id, t.interactions.c.id <= upto_id),
    )
    return int(result.scalar_one())


async def max_interaction_id(session: AsyncSession) -> int:
    """The highest interaction id written so far (0 when the log is empty)."""
    value = (await execute(session, select(func.max(t.interactions.c.id)))).scalar_one_or_none()
    return int(value or 0)


async def changed_rows(
    session: AsyncSession, after_id: int, upto_id: int, batch: int = 50_000
) -> AsyncIterator[list[tuple[int, datetime]]]:
    """(guild_id, at) of the interactions with after_id < id <= upto_id, in batches."""
    low = after_id
    while low < upto_id:
        high = min(low + batch, upto_id)
        result = await execute(
            session,
            select(t.interactions.c.guild_id, t.interactions.c.at).where(
                t.interactions.c.id > low, t.interactions.c.id <= high
            ),
        )
        rows = [(int(g), at) for g, at in result.all()]
        if rows:
            yield rows
        low = high
