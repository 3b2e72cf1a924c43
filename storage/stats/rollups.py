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

from sqlalchemy import (
    Date,
    and_,
    bindparam,
    case,
    delete,
    func,
    insert,
    literal,
    select,
    update,
)
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


@dataclass(frozen=True)
class Presence:
    """A member's changed rows that show them present: first and last, and what is stored."""

    guild_id: int
    user_id: int
    first: datetime
    last: datetime
    stored_first: datetime | None


async def presence_in(
    session: AsyncSession, after_id: int, upto_id: int, absent_kinds: Iterable[str]
) -> list[Presence]:
    """Per member with changed rows showing presence: their first and last such row, and
    their stored first join (one pass over the changed rows)."""
    i = t.interactions
    fresh = (
        select(
            i.c.guild_id,
            i.c.user_id,
            func.min(i.c.at).label("first_at"),
            func.max(i.c.at).label("last_at"),
        )
        .where(i.c.id > after_id, i.c.id <= upto_id, i.c.kind.not_in(list(absent_kinds)))
        .group_by(i.c.guild_id, i.c.user_id)
        .subquery()
    )
    stored = t.member_first
    result = await execute(
        session,
        select(
            fresh.c.guild_id, fresh.c.user_id, fresh.c.first_at, fresh.c.last_at, stored.c.first_at
        ).select_from(
            fresh.outerjoin(
                stored,
                and_(stored.c.guild_id == fresh.c.guild_id, stored.c.user_id == fresh.c.user_id),
            )
        ),
    )
    return [
        Presence(int(g), int(u), as_utc(low), as_utc(high), None if old is None else as_utc(old))
        for g, u, low, high, old in result.all()
    ]


async def event_users(
    session: AsyncSession, after_id: int, upto_id: int
) -> set[tuple[int, int, str]]:
    """(guild, user, kind) of the copied membership and billing events with ids in range."""
    e = t.events
    result = await execute(
        session,
        select(e.c.guild_id, e.c.user_id, e.c.kind)
        .where(e.c.interaction_id > after_id, e.c.interaction_id <= upto_id)
        .distinct(),
    )
    return {(int(g), int(u), str(k)) for g, u, k in result.all()}


async def first_seen(
    session: AsyncSession, guild_id: int, user_ids: Sequence[int]
) -> dict[int, datetime]:
    """The stored first join of these members."""
    f = t.member_first
    found: dict[int, datetime] = {}
    for part in chunks(sorted(set(user_ids))):
        result = await execute(
            session,
            select(f.c.user_id, f.c.first_at).where(
                f.c.guild_id == guild_id, f.c.user_id.in_(part)
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
    f = t.member_first
    if inserts:
        await execute(
            session,
            insert(f),
            [{"guild_id": guild_id, "user_id": u, "first_at": at} for u, at in inserts],
        )
    if updates:
        await execute(
            session,
            update(f)
            .where(f.c.guild_id == guild_id, f.c.user_id == bindparam("u"))
            .values(first_at=bindparam("at")),
            [{"u": u, "at": at} for u, at in updates],
        )


async def copy_events(
    session: AsyncSession, after_id: int, upto_id: int, kinds: Iterable[str]
) -> None:
    """Copy the changed rows of `kinds` into `stats_events` (again, if already there)."""
    e, i = t.events, t.interactions
    await execute(
        session, delete(e).where(e.c.interaction_id > after_id, e.c.interaction_id <= upto_id)
    )
    rows = select(i.c.id, i.c.guild_id, i.c.user_id, i.c.kind, i.c.ref, i.c.at, i.c.meta).where(
        i.c.id > after_id, i.c.id <= upto_id, i.c.kind.in_(list(kinds))
    )
    columns = ["interaction_id", "guild_id", "user_id", "kind", "ref", "at", "meta"]
    await execute(session, insert(e).from_select(columns, rows))


async def events_of(
    session: AsyncSession, guild_id: int, user_ids: Sequence[int], kinds: Iterable[str]
) -> list[tuple[int, int, str, str | None, datetime, dict[str, Any] | None]]:
    """(id, user, kind, ref, at, meta) of members' copied events of `kinds`, oldest first."""
    e = t.events
    columns = (e.c.interaction_id, e.c.user_id, e.c.kind, e.c.ref, e.c.at, e.c.meta)
    where = [e.c.guild_id == guild_id, e.c.kind.in_(list(kinds))]
    rows: list[tuple[int, int, str, str | None, datetime, dict[str, Any] | None]] = []
    for part in chunks(sorted(set(user_ids))):
        result = await execute(session, select(*columns).where(*where, e.c.user_id.in_(part)))
        rows.extend(
            (int(i), int(u), str(k), r, as_utc(at), m) for i, u, k, r, at, m in result.all()
        )
    rows.sort(key=lambda row: (row[4], row[0]))
    return rows


Span = tuple[datetime, datetime | None]


async def stored_spans(
    session: AsyncSession, guild_id: int, user_ids: Sequence[int]
) -> dict[int, list[Span]]:
    """The stored membership spans of these members, oldest first."""
    m = t.member_spans
    found: dict[int, list[Span]] = {}
    for part in chunks(sorted(set(user_ids))):
        result = await execute(
            session,
            select(m.c.user_id, m.c.joined_at, m.c.left_at).where(
                m.c.guild_id == guild_id, m.c.user_id.in_(part)
            ),
        )
        for user_id, joined, left in result.all():
            found.setdefault(int(user_id), []).append(
                (as_utc(joined), None if left is None else as_utc(left))
            )
    for spans in found.values():
        spans.sort(key=lambda span: span[0])
    return found


async def write_member_spans(
    session: AsyncSession, guild_id: int, spans: dict[int, list[Span]]
) -> None:
    """Replace these members' membership spans."""
    m = t.member_spans
    for part in chunks(sorted(spans)):
        await execute(session, delete(m).where(m.c.guild_id == guild_id, m.c.user_id.in_(part)))
    rows = [
        {"guild_id": guild_id, "user_id": user_id, "joined_at": joined, "left_at": left}
        for user_id, user_spans in spans.items()
        for joined, left in user_spans
    ]
    if rows:
        await execute(session, insert(m), rows)


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


async def clear_member_days(session: AsyncSession, guild_id: int, days: Sequence[date]) -> None:
    """Forget the member days of these local days (before filling them again)."""
    d = t.member_days
    for part in chunks(sorted(days)):
        await execute(session, delete(d).where(d.c.guild_id == guild_id, d.c.day.in_(part)))


async def fill_member_day(
    session: AsyncSession,
    guild_id: int,
    day: date,
    start: datetime,
    end: datetime,
    active_kinds: Iterable[str],
    communication_kinds: Iterable[str],
) -> None:
    """Count every member's active interactions on one (cleared) local day [start, end)."""
    i = t.interactions
    talking = case((i.c.kind.in_(list(communication_kinds)), 1), else_=0)
    rows = (
        select(
            literal(guild_id, t.member_days.c.guild_id.type),
            literal(day, Date()),
            i.c.user_id,
            func.count(),
            func.sum(talking),
        )
        .where(
            i.c.guild_id == guild_id,
            i.c.at >= start,
            i.c.at < end,
            i.c.kind.in_(list(active_kinds)),
        )
        .group_by(i.c.user_id)
    )
    await execute(
        session,
        insert(t.member_days).from_select(
            ["guild_id", "day", "user_id", "interactions", "communications"], rows
        ),
    )


async def rebuild_member_week(session: AsyncSession, guild_id: int, monday: date) -> None:
    """Sum a local week's member days into member weeks."""
    w, d = t.member_weeks, t.member_days
    await execute(session, delete(w).where(w.c.guild_id == guild_id, w.c.week == monday))
    rows = (
        select(
            literal(guild_id, w.c.guild_id.type),
            literal(monday, Date()),
            d.c.user_id,
            func.sum(d.c.interactions),
            func.sum(d.c.communications),
        )
        .where(d.c.guild_id == guild_id, d.c.day >= monday, d.c.day < monday + timedelta(days=7))
        .group_by(d.c.user_id)
    )
    await execute(
        session,
        insert(w).from_select(
            ["guild_id", "week", "user_id", "interactions", "communications"], rows
        ),
    )


async def day_activity(
    session: AsyncSession, guild_id: int, days: Sequence[date]
) -> dict[date, tuple[int, int, int]]:
    """(active members, interactions, communicators) of these local days, from member days."""
    d = t.member_days
    found: dict[date, tuple[int, int, int]] = {}
    for part in chunks(sorted(days)):
        result = await execute(
            session,
            select(
                d.c.day,
                func.count(),
                func.sum(d.c.interactions),
                func.count().filter(d.c.communications > 0),
            )
            .where(d.c.guild_id == guild_id, d.c.day.in_(part))
            .group_by(d.c.day),
        )
        found.update((day, (int(a), int(n), int(c))) for day, a, n, c in result.all())
    return found


async def span_boundaries(
    session: AsyncSession, guild_id: int, start: datetime, end: datetime
) -> tuple[list[datetime], list[datetime]]:
    """The starts and the ends of membership spans that fall in [start, end)."""
    m = t.member_spans
    found = []
    for column in (m.c.joined_at, m.c.left_at):
        result = await execute(
            session,
            select(column).where(m.c.guild_id == guild_id, column >= start, column < end),
        )
        found.append([as_utc(at) for at in result.scalars().all()])
    return found[0], found[1]


@dataclass(frozen=True)
class GuildDayRow:
    """A guild's totals for one local day."""

    day: date
    active_members: int
    interactions: int
    communicators: int
    joins: int
    leaves: int


async def replace_guild_days(
    session: AsyncSession, guild_id: int, days: Sequence[date], rows: Sequence[GuildDayRow]
) -> None:
    """Replace a guild's totals for these local days (days without a row are dropped)."""
    g = t.guild_days
    for part in chunks(sorted(days)):
        await execute(session, delete(g).where(g.c.guild_id == guild_id, g.c.day.in_(part)))
    if rows:
        await execute(
            session,
            insert(g),
            [
                {
                    "guild_id": guild_id,
                    "day": r.day,
                    "active_members": r.active_members,
                    "interactions": r.interactions,
                    "communicators": r.communicators,
                    "joins": r.joins,
                    "leaves": r.leaves,
                }
                for r in rows
            ],
        )


async def forget_member(session: AsyncSession, guild_id: int, user_id: int) -> None:
    """Erase a member from the per-member rollups (`/privacy delete`); day and week totals,
    which name nobody, are kept."""
    for table in (
        t.member_days,
        t.member_weeks,
        t.member_first,
        t.member_spans,
        t.paid_spans,
        t.events,
    ):
        await execute(
            session,
            delete(table).where(table.c.guild_id == guild_id, table.c.user_id == user_id),
        )


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
