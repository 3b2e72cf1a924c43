"""The append-only ledger: the state a batch of awards needs, appending entries (and their
balances), a member's history, and the passes a re-score reads. Nothing here commits."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import func, insert, select
from sqlmodel import col
from sqlmodel import select as sm_select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.points.balances import add_to_balances
from storage.points.models import PointsEntry
from storage.points.periods import periods_of
from storage.points.tables import LEDGER, chunks, execute, sqlite_driver, sqlite_many
from storage.types import sqlite_datetime_text

STATE_COLUMNS = (
    LEDGER.c.user_id, LEDGER.c.rule, LEDGER.c.cause, LEDGER.c.kind, LEDGER.c.delta,
    LEDGER.c.day, LEDGER.c.ref,
)  # fmt: skip


async def state_entries(
    session: AsyncSession,
    guild_id: int,
    days: Collection[tuple[int, date]],
    causes: Collection[tuple[int, str, str]],
) -> list[Any]:
    """Entries (in ledger order) of these members' days and of these causes: the state a
    batch of awards needs. Rows: (user_id, rule, cause, kind, delta, day, ref)."""
    found: dict[int, Any] = {}
    day_set = set(days)
    by_day = sorted(day_set)
    for part in chunks(by_day):
        statement = select(LEDGER.c.id, *STATE_COLUMNS).where(
            LEDGER.c.guild_id == guild_id,
            LEDGER.c.user_id.in_(sorted({u for u, _ in part})),
            LEDGER.c.day.in_(sorted({d for _, d in part})),
        )
        for row in (await execute(session, statement)).all():
            if (row[1], row[6]) in day_set:
                found[row[0]] = row[1:]
    cause_set = set(causes)
    for part in chunks(sorted(cause_set)):
        # Each column's IN list walks the unique index (a row-value IN scans on SQLite).
        statement = select(LEDGER.c.id, *STATE_COLUMNS).where(
            LEDGER.c.guild_id == guild_id,
            LEDGER.c.user_id.in_(sorted({u for u, _, _ in part})),
            LEDGER.c.rule.in_(sorted({r for _, r, _ in part})),
            LEDGER.c.cause.in_(sorted({c for _, _, c in part})),
        )
        for row in (await execute(session, statement)).all():
            if (row[1], row[2], row[3]) in cause_set:
                found[row[0]] = row[1:]
    return [row for _, row in sorted(found.items())]


_LEDGER_COLUMNS = (
    "guild_id", "user_id", "rule", "cause", "seq", "kind", "delta", "day", "ref", "actor_id",
    "note", "at",
)  # fmt: skip


_SQLITE_LEDGER = (
    f"INSERT INTO points_ledger ({', '.join(_LEDGER_COLUMNS)})"
    f" VALUES ({', '.join('?' * len(_LEDGER_COLUMNS))})"
)


def _sqlite_rows(rows: Sequence[Mapping[str, Any]]) -> list[tuple[Any, ...]]:
    days: dict[date, str] = {}
    times: dict[Any, str] = {}
    found = []
    for row in rows:
        day, at = row["day"], row["at"]
        day_text = days.get(day)
        if day_text is None:
            day_text = days[day] = day.isoformat()
        at_text = times.get(at)
        if at_text is None:
            at_text = times[at] = sqlite_datetime_text(at)
        found.append(
            (
                row["guild_id"], row["user_id"], row["rule"], row["cause"], row["seq"],
                row["kind"], row["delta"], day_text, row["ref"], row["actor_id"], row["note"],
                at_text,
            )
        )  # fmt: skip
    return found


async def append(session: AsyncSession, rows: Sequence[Mapping[str, Any]]) -> None:
    """Append entries (dicts of PointsEntry's columns) and add them to the balances."""
    if not rows:
        return
    if not await sqlite_many(session, _SQLITE_LEDGER, _sqlite_rows(rows)):
        await execute(session, insert(LEDGER), list(rows))
    by_day: defaultdict[tuple[int, date], int] = defaultdict(int)
    for row in rows:
        by_day[(row["user_id"], row["day"])] += row["delta"]
    increments: defaultdict[tuple[str, int], int] = defaultdict(int)
    for (user_id, day), delta in by_day.items():
        for period in periods_of(day):
            increments[(period, user_id)] += delta
    await add_to_balances(session, rows[0]["guild_id"], increments)


async def history(
    session: AsyncSession, guild_id: int, user_id: int, limit: int, offset: int = 0
) -> list[PointsEntry]:
    """The member's entries, newest first."""
    result = await session.exec(
        sm_select(PointsEntry)
        .where(col(PointsEntry.guild_id) == guild_id, col(PointsEntry.user_id) == user_id)
        .order_by(col(PointsEntry.id).desc())
        .offset(offset)
        .limit(limit)
    )
    return list(result.all())


async def entry_count(session: AsyncSession, guild_id: int, user_id: int) -> int:
    """How many entries the member has."""
    result = await execute(
        session,
        select(func.count()).where(LEDGER.c.guild_id == guild_id, LEDGER.c.user_id == user_id),
    )
    return int(result.scalar_one())


async def cause_used(session: AsyncSession, guild_id: int, rule: str, cause: str) -> bool:
    """True when any member has an entry of this rule and cause (an adjustment replayed)."""
    result = await execute(
        session,
        select(LEDGER.c.id)
        .where(LEDGER.c.guild_id == guild_id, LEDGER.c.rule == rule, LEDGER.c.cause == cause)
        .limit(1),
    )
    return result.first() is not None


async def ledger_size(session: AsyncSession, guild_id: int) -> int:
    """How many entries the guild's ledger holds."""
    result = await execute(session, select(func.count()).where(LEDGER.c.guild_id == guild_id))
    return int(result.scalar_one())


async def member_entries(
    session: AsyncSession, guild_id: int, parts: int, part: int
) -> dict[int, list[Any]]:
    """Every entry of the members whose id is `part` modulo `parts`, in ledger order, by
    member. Rows: (user_id, rule, cause, kind, delta, day, id); on SQLite the day is its
    ISO text.

    One sequential pass over the ledger per part: a re-score reads every entry, and
    walking an index member by member would read the file's pages in random order."""
    by_user: defaultdict[int, list[Any]] = defaultdict(list)
    driver = await sqlite_driver(session)
    if driver is not None:
        cursor = await driver.execute(
            "SELECT user_id, rule, cause, kind, delta, day, id FROM points_ledger NOT INDEXED"
            " WHERE guild_id = ? AND user_id % ? = ? ORDER BY id",
            (guild_id, parts, part),
        )
        rows = await cursor.fetchall()
    else:
        result = await execute(
            session,
            select(*STATE_COLUMNS[:-1], LEDGER.c.id)
            .where(LEDGER.c.guild_id == guild_id, LEDGER.c.user_id % parts == part)
            .order_by(LEDGER.c.id),
        )
        rows = result.all()
    for row in rows:
        by_user[row[0]].append(row)
    return by_user


async def entries_of(
    session: AsyncSession, guild_id: int, user_ids: Collection[int]
) -> dict[int, list[Any]]:
    """Every entry of these members, in ledger order, by member (rows as `member_entries`,
    the day a date)."""
    by_user: defaultdict[int, list[Any]] = defaultdict(list)
    for part in chunks(sorted(user_ids)):
        result = await execute(
            session,
            select(*STATE_COLUMNS[:-1], LEDGER.c.id)
            .where(LEDGER.c.guild_id == guild_id, LEDGER.c.user_id.in_(part))
            .order_by(LEDGER.c.id),
        )
        for row in result.all():
            by_user[row[0]].append(tuple(row))
    return by_user


async def member_marks(session: AsyncSession, guild_id: int) -> dict[int, tuple[int, int]]:
    """Each member's (entry count, last entry id): what changes when their history does
    (the ledger is append-only; an erasure removes them). Read from the member index."""
    result = await execute(
        session,
        select(LEDGER.c.user_id, func.count(), func.max(LEDGER.c.id))
        .where(LEDGER.c.guild_id == guild_id)
        .group_by(LEDGER.c.user_id),
    )
    return {int(u): (int(n), int(last)) for u, n, last in result.all()}
