"""The day and week rollups, and per-guild housekeeping (time zones, forgetting a member).

Every function takes the caller's session and never commits. Day rollups are rebuilt
from the log with one INSERT ... SELECT per day, so a rebuild is idempotent and costs
what that day holds.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Date, case, delete, func, insert, literal, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.stats import tables as t
from storage.stats.sql import as_utc, chunks, execute


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


async def clear_day_rollups(
    session: AsyncSession, guild_id: int, since: date | None = None
) -> None:
    """Drop a guild's day and week rollups (before rebuilding them in another time zone);
    with `since`, only those of that local day on (earlier days are closed by retention)."""
    for table, column in (
        (t.member_days, t.member_days.c.day),
        (t.member_weeks, t.member_weeks.c.week),
        (t.guild_days, t.guild_days.c.day),
    ):
        where = [table.c.guild_id == guild_id]
        if since is not None:
            where.append(column >= since)
        await execute(session, delete(table).where(*where))


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
