"""Maintaining the stats rollups: read what changed in the log, rewrite what it touched.

Every function takes the caller's session and never commits. Day rollups are rebuilt
from the log with one INSERT ... SELECT per day, so a rebuild is idempotent and costs
what that day holds.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Date, case, delete, func, insert, literal, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.stats import tables as t

CHUNK = 1000  # ids per IN (...) list: well under SQLite's and asyncpg's parameter limits


async def execute(session: AsyncSession, statement: Any, params: Any = None) -> Any:
    """Run a Core statement on the session's connection (inside its transaction)."""
    connection = await session.connection()
    if params is None:
        return await connection.execute(statement)
    return await connection.execute(statement, params)


def chunks(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    """Consecutive slices of at most `size` items."""
    for i in range(0, len(items), size):
        yield items[i : i + size]


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


async def first_presence(
    session: AsyncSession, after_id: int, upto_id: int, absent_kinds: Iterable[str]
) -> list[tuple[int, int, datetime]]:
    """(guild, user, earliest at) among the changed rows that show a member present."""
    result = await execute(
        session,
        select(t.interactions.c.guild_id, t.interactions.c.user_id, func.min(t.interactions.c.at))
        .where(
            t.interactions.c.id > after_id,
            t.interactions.c.id <= upto_id,
            t.interactions.c.kind.not_in(list(absent_kinds)),
        )
        .group_by(t.interactions.c.guild_id, t.interactions.c.user_id),
    )
    return [(int(g), int(u), as_utc(at)) for g, u, at in result.all()]


async def users_with_kinds(
    session: AsyncSession, after_id: int, upto_id: int, kinds: Iterable[str]
) -> set[tuple[int, int]]:
    """(guild, user) pairs with a changed row of one of `kinds`."""
    result = await execute(
        session,
        select(t.interactions.c.guild_id, t.interactions.c.user_id)
        .where(
            t.interactions.c.id > after_id,
            t.interactions.c.id <= upto_id,
            t.interactions.c.kind.in_(list(kinds)),
        )
        .distinct(),
    )
    return {(int(g), int(u)) for g, u in result.all()}


async def first_seen(
    session: AsyncSession, guild_id: int, user_ids: Sequence[int]
) -> dict[int, datetime]:
    """The stored first join of each of these members (absent when unknown)."""
    found: dict[int, datetime] = {}
    for part in chunks(sorted(set(user_ids))):
        result = await execute(
            session,
            select(t.member_first.c.user_id, t.member_first.c.first_at).where(
                t.member_first.c.guild_id == guild_id, t.member_first.c.user_id.in_(part)
            ),
        )
        found.update((int(u), as_utc(at)) for u, at in result.all())
    return found


async def write_first_seen(
    session: AsyncSession,
    guild_id: int,
    inserts: Sequence[tuple[int, datetime]],
    updates: Sequence[tuple[int, datetime]],
) -> None:
    """Insert new first joins and move existing ones earlier."""
    if inserts:
        await execute(
            session,
            insert(t.member_first),
            [{"guild_id": guild_id, "user_id": u, "first_at": at} for u, at in inserts],
        )
    for user_id, at in updates:
        await execute(
            session,
            update(t.member_first)
            .where(
                t.member_first.c.guild_id == guild_id,
                t.member_first.c.user_id == user_id,
            )
            .values(first_at=at),
        )


async def events_of(
    session: AsyncSession, guild_id: int, user_ids: Sequence[int] | None, kinds: Iterable[str]
) -> list[tuple[int, int, str, str | None, datetime, dict[str, Any] | None]]:
    """(id, user, kind, ref, at, meta) of members' interactions of `kinds`, oldest first.

    `user_ids=None` reads every member of the guild in one pass over its log.
    """
    kind_list = list(kinds)
    columns = (
        t.interactions.c.id,
        t.interactions.c.user_id,
        t.interactions.c.kind,
        t.interactions.c.ref,
        t.interactions.c.at,
        t.interactions.c.meta,
    )
    where = [t.interactions.c.guild_id == guild_id, t.interactions.c.kind.in_(kind_list)]
    parts: Iterable[Sequence[int] | None] = (
        [None] if user_ids is None else chunks(sorted(set(user_ids)))
    )
    rows: list[tuple[int, int, str, str | None, datetime, dict[str, Any] | None]] = []
    for part in parts:
        condition = where if part is None else [*where, t.interactions.c.user_id.in_(part)]
        result = await execute(session, select(*columns).where(*condition))
        rows.extend(
            (int(i), int(u), str(k), r, as_utc(at), m) for i, u, k, r, at, m in result.all()
        )
    rows.sort(key=lambda row: (row[4], row[0]))
    return rows


async def replace_member_spans(
    session: AsyncSession,
    guild_id: int,
    spans: dict[int, list[tuple[datetime, datetime | None]]],
) -> list[datetime]:
    """Replace these members' membership spans; returns every boundary before and after."""
    user_ids = sorted(spans)
    boundaries: list[datetime] = []
    for part in chunks(user_ids):
        result = await execute(
            session,
            select(t.member_spans.c.joined_at, t.member_spans.c.left_at).where(
                t.member_spans.c.guild_id == guild_id, t.member_spans.c.user_id.in_(part)
            ),
        )
        for joined, left in result.all():
            boundaries.append(as_utc(joined))
            if left is not None:
                boundaries.append(as_utc(left))
        await execute(
            session,
            delete(t.member_spans).where(
                t.member_spans.c.guild_id == guild_id, t.member_spans.c.user_id.in_(part)
            ),
        )
    rows: list[dict[str, Any]] = []
    for user_id, user_spans in spans.items():
        for joined, left in user_spans:
            rows.append(
                {"guild_id": guild_id, "user_id": user_id, "joined_at": joined, "left_at": left}
            )
            boundaries.append(joined)
            if left is not None:
                boundaries.append(left)
    if rows:
        await execute(session, insert(t.member_spans), rows)
    return boundaries


@dataclass(frozen=True)
class PaidSpanRow:
    """A paid span to store."""

    user_id: int
    tier_key: str
    started_at: datetime
    ended_at: datetime | None
    monthly_amount: float | None
    currency: str | None


async def replace_paid_spans(
    session: AsyncSession, guild_id: int, user_ids: Sequence[int], spans: Sequence[PaidSpanRow]
) -> None:
    """Replace these members' paid spans."""
    for part in chunks(sorted(set(user_ids))):
        await execute(
            session,
            delete(t.paid_spans).where(
                t.paid_spans.c.guild_id == guild_id, t.paid_spans.c.user_id.in_(part)
            ),
        )
    if spans:
        await execute(
            session,
            insert(t.paid_spans),
            [
                {
                    "guild_id": guild_id,
                    "user_id": s.user_id,
                    "tier_key": s.tier_key,
                    "started_at": s.started_at,
                    "ended_at": s.ended_at,
                    "monthly_amount": s.monthly_amount,
                    "currency": s.currency,
                }
                for s in spans
            ],
        )


async def rebuild_member_day(
    session: AsyncSession,
    guild_id: int,
    day: date,
    start: datetime,
    end: datetime,
    active_kinds: Iterable[str],
    communication_kinds: Iterable[str],
) -> None:
    """Recount every member's active interactions on one local day [start, end)."""
    await execute(
        session,
        delete(t.member_days).where(
            t.member_days.c.guild_id == guild_id, t.member_days.c.day == day
        ),
    )
    talking = case((t.interactions.c.kind.in_(list(communication_kinds)), 1), else_=0)
    rows = (
        select(
            literal(guild_id, t.member_days.c.guild_id.type),
            literal(day, Date()),
            t.interactions.c.user_id,
            func.count(),
            func.sum(talking),
        )
        .where(
            t.interactions.c.guild_id == guild_id,
            t.interactions.c.at >= start,
            t.interactions.c.at < end,
            t.interactions.c.kind.in_(list(active_kinds)),
        )
        .group_by(t.interactions.c.user_id)
    )
    await execute(
        session,
        insert(t.member_days).from_select(
            ["guild_id", "day", "user_id", "interactions", "communications"], rows
        ),
    )


async def rebuild_member_week(session: AsyncSession, guild_id: int, monday: date) -> None:
    """Sum a local week's member days into member weeks."""
    await execute(
        session,
        delete(t.member_weeks).where(
            t.member_weeks.c.guild_id == guild_id, t.member_weeks.c.week == monday
        ),
    )
    rows = (
        select(
            literal(guild_id, t.member_weeks.c.guild_id.type),
            literal(monday, Date()),
            t.member_days.c.user_id,
            func.sum(t.member_days.c.interactions),
            func.sum(t.member_days.c.communications),
        )
        .where(
            t.member_days.c.guild_id == guild_id,
            t.member_days.c.day >= monday,
            t.member_days.c.day < monday + timedelta(days=7),
        )
        .group_by(t.member_days.c.user_id)
    )
    await execute(
        session,
        insert(t.member_weeks).from_select(
            ["guild_id", "week", "user_id", "interactions", "communications"], rows
        ),
    )


async def rebuild_guild_day(
    session: AsyncSession, guild_id: int, day: date, start: datetime, end: datetime
) -> None:
    """Recompute a guild's totals for one local day from member days and spans."""
    activity = (
        await execute(
            session,
            select(
                func.count(),
                func.coalesce(func.sum(t.member_days.c.interactions), 0),
                func.coalesce(func.sum(case((t.member_days.c.communications > 0, 1), else_=0)), 0),
            ).where(t.member_days.c.guild_id == guild_id, t.member_days.c.day == day),
        )
    ).one()
    joins = await _count_spans(session, guild_id, t.member_spans.c.joined_at, start, end)
    leaves = await _count_spans(session, guild_id, t.member_spans.c.left_at, start, end)
    await execute(
        session,
        delete(t.guild_days).where(t.guild_days.c.guild_id == guild_id, t.guild_days.c.day == day),
    )
    if activity[0] or joins or leaves:
        await execute(
            session,
            insert(t.guild_days).values(
                guild_id=guild_id,
                day=day,
                active_members=int(activity[0]),
                interactions=int(activity[1]),
                communicators=int(activity[2]),
                joins=joins,
                leaves=leaves,
            ),
        )


async def _count_spans(
    session: AsyncSession, guild_id: int, column: Any, start: datetime, end: datetime
) -> int:
    result = await execute(
        session,
        select(func.count()).where(
            t.member_spans.c.guild_id == guild_id, column >= start, column < end
        ),
    )
    return int(result.scalar_one())


async def guild_timezones(session: AsyncSession) -> dict[int, str]:
    """The time zone each guild's rollups were built in."""
    result = await execute(session, select(t.guild_state.c.guild_id, t.guild_state.c.timezone))
    return {int(g): str(tz) for g, tz in result.all()}


async def set_guild_timezone(session: AsyncSession, guild_id: int, timezone: str) -> None:
    """Record the time zone a guild's rollups are built in."""
    await execute(session, delete(t.guild_state).where(t.guild_state.c.guild_id == guild_id))
    await execute(session, insert(t.guild_state).values(guild_id=guild_id, timezone=timezone))


async def clear_day_rollups(session: AsyncSession, guild_id: int) -> None:
    """Drop a guild's day and week rollups (before rebuilding them in another time zone)."""
    for table in (t.member_days, t.member_weeks, t.guild_days):
        await execute(session, delete(table).where(table.c.guild_id == guild_id))


async def guild_time_range(
    session: AsyncSession, guild_id: int
) -> tuple[datetime, datetime] | None:
    """The first and last interaction times of a guild, if it has any."""
    low, high = (
        await execute(
            session,
            select(func.min(t.interactions.c.at), func.max(t.interactions.c.at)).where(
                t.interactions.c.guild_id == guild_id
            ),
        )
    ).one()
    if low is None:
        return None
    return as_utc(low), as_utc(high)


def as_utc(value: Any) -> datetime:
    """A value read back from a timestamp column or aggregate, as aware UTC."""
    # Aggregates (min/max) lose the column type on SQLite and come back as text.
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        raise TypeError(f"expected a datetime, got {type(value).__name__}")
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
