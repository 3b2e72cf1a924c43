"""Queries on the points tables; they never commit. Bulk paths use Core statements."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Table, delete, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col
from sqlmodel import select as sm_select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.points.models import (
    PointsBalance,
    PointsEntry,
    PointsMember,
    PointsOpenDay,
    PointsQuestion,
    PointsRescore,
    PointsSettings,
)
from storage.points.periods import periods_of
from storage.types import sqlite_datetime_text

CHUNK = 500  # ids per IN (...) list


def _table(model: type[Any]) -> Table:
    table = getattr(model, "__table__")  # noqa: B009 - SQLModel declares no type for it
    assert isinstance(table, Table)
    return table


LEDGER = _table(PointsEntry)
BALANCES = _table(PointsBalance)
MEMBERS = _table(PointsMember)
OPEN_DAYS = _table(PointsOpenDay)
QUESTIONS = _table(PointsQuestion)
RESCORES = _table(PointsRescore)
STATE_COLUMNS = (
    LEDGER.c.user_id, LEDGER.c.rule, LEDGER.c.cause, LEDGER.c.kind, LEDGER.c.delta,
    LEDGER.c.day, LEDGER.c.ref,
)  # fmt: skip


def _chunks(items: Sequence[Any]) -> list[Sequence[Any]]:
    return [items[i : i + CHUNK] for i in range(0, len(items), CHUNK)]


async def _execute(session: AsyncSession, statement: Any, params: Any = None) -> Any:
    """Run a Core statement on the session's connection (inside its transaction)."""
    connection = await session.connection()
    if params is None:
        return await connection.execute(statement)
    return await connection.execute(statement, params)


async def _dialect(session: AsyncSession) -> str:
    return (await session.connection()).dialect.name


# -- settings, members, askers, open days ------------------------------------------------


async def settings(session: AsyncSession, guild_id: int) -> PointsSettings | None:
    """The guild's stored rules and levels, if any were saved."""
    return await session.get(PointsSettings, guild_id)


async def save_settings(session: AsyncSession, row: PointsSettings) -> None:
    """Insert or update the guild's rules and levels."""
    session.add(row)
    await session.flush()


async def member(session: AsyncSession, guild_id: int, user_id: int) -> PointsMember | None:
    """The member's preference and applied level."""
    return await session.get(PointsMember, (guild_id, user_id))


async def save_member(session: AsyncSession, row: PointsMember) -> None:
    """Write the member's row."""
    session.add(row)
    await session.flush()


async def levels(session: AsyncSession, guild_id: int, user_ids: Collection[int]) -> dict[int, int]:
    """The applied level of these members (absent members are missing)."""
    found: dict[int, int] = {}
    for part in _chunks(sorted(user_ids)):
        result = await _execute(
            session,
            select(MEMBERS.c.user_id, MEMBERS.c.level).where(
                MEMBERS.c.guild_id == guild_id, MEMBERS.c.user_id.in_(part)
            ),
        )
        found.update((int(u), int(n)) for u, n in result.all())
    return found


async def set_levels(session: AsyncSession, guild_id: int, levels: Mapping[int, int]) -> None:
    """Record members' applied levels (user id -> level); rows are created as needed."""
    if not levels:
        return
    rows = [
        {"guild_id": guild_id, "user_id": u, "hidden": False, "level": n}
        for u, n in sorted(levels.items())
    ]
    maker = pg_insert if await _dialect(session) == "postgresql" else sqlite_insert
    statement = maker(MEMBERS)
    statement = statement.on_conflict_do_update(
        index_elements=["guild_id", "user_id"], set_={"level": statement.excluded.level}
    )
    await _execute(session, statement, rows)


async def record_askers(session: AsyncSession, guild_id: int, askers: Mapping[int, int]) -> None:
    """Remember who asked each question (question id -> asker id); known ones stay."""
    if not askers:
        return
    rows = [{"guild_id": guild_id, "question_id": q, "asker_id": a} for q, a in askers.items()]
    await _insert_ignore(session, QUESTIONS, rows, ["guild_id", "question_id"])


async def askers(
    session: AsyncSession, guild_id: int, question_ids: Collection[int]
) -> dict[int, int]:
    """Question id -> asker id, for the known ones."""
    found: dict[int, int] = {}
    for part in _chunks(sorted(question_ids)):
        result = await _execute(
            session,
            select(QUESTIONS.c.question_id, QUESTIONS.c.asker_id).where(
                QUESTIONS.c.guild_id == guild_id, QUESTIONS.c.question_id.in_(part)
            ),
        )
        found.update((int(q), int(a)) for q, a in result.all())
    return found


async def add_open_days(
    session: AsyncSession, guild_id: int, opens: Collection[tuple[int, date]]
) -> None:
    """Note the (member, local day) pairs on which content was opened."""
    rows = [{"guild_id": guild_id, "user_id": u, "day": d} for u, d in sorted(set(opens))]
    await _insert_ignore(session, OPEN_DAYS, rows, ["guild_id", "user_id", "day"])


async def open_days(
    session: AsyncSession, guild_id: int, user_id: int, first: date, last: date
) -> int:
    """Distinct days from `first` to `last` (inclusive) on which the member opened content."""
    result = await _execute(
        session,
        select(func.count()).where(
            OPEN_DAYS.c.guild_id == guild_id,
            OPEN_DAYS.c.user_id == user_id,
            OPEN_DAYS.c.day >= first,
            OPEN_DAYS.c.day <= last,
        ),
    )
    return int(result.scalar_one())


async def _insert_ignore(
    session: AsyncSession, table: Table, rows: list[dict[str, Any]], keys: list[str]
) -> None:
    if not rows:
        return
    maker = pg_insert if await _dialect(session) == "postgresql" else sqlite_insert
    await _execute(session, maker(table).on_conflict_do_nothing(index_elements=keys), rows)


# -- the ledger --------------------------------------------------------------------------


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
    for part in _chunks(by_day):
        statement = select(LEDGER.c.id, *STATE_COLUMNS).where(
            LEDGER.c.guild_id == guild_id,
            LEDGER.c.user_id.in_(sorted({u for u, _ in part})),
            LEDGER.c.day.in_(sorted({d for _, d in part})),
        )
        for row in (await _execute(session, statement)).all():
            if (row[1], row[6]) in day_set:
                found[row[0]] = row[1:]
    cause_set = set(causes)
    for part in _chunks(sorted(cause_set)):
        # Each column's IN list walks the unique index (a row-value IN scans on SQLite).
        statement = select(LEDGER.c.id, *STATE_COLUMNS).where(
            LEDGER.c.guild_id == guild_id,
            LEDGER.c.user_id.in_(sorted({u for u, _, _ in part})),
            LEDGER.c.rule.in_(sorted({r for _, r, _ in part})),
            LEDGER.c.cause.in_(sorted({c for _, _, c in part})),
        )
        for row in (await _execute(session, statement)).all():
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
_SQLITE_BALANCES = (
    "INSERT INTO points_balances (guild_id, period, user_id, points) VALUES (?, ?, ?, ?)"
    " ON CONFLICT (guild_id, period, user_id) DO UPDATE SET points = points + excluded.points"
)


MMAP_BYTES = 1 << 30  # a large ledger is read through the OS page cache, not 4 KiB reads
# A batch of awards changes pages all over the ledger's and the balances' indexes; copying
# them back from the WAL after every commit (SQLite's default, at 1,000 pages) cost more
# than writing them. Checkpointing every 20,000 pages (80 MB of WAL) copies each hot page
# once for many batches.
CHECKPOINT_PAGES = 20_000


async def _sqlite_driver(session: AsyncSession) -> Any:
    """SQLite's own connection (aiosqlite) inside the session's transaction, with memory
    mapping on (the default 2 MB page cache turns a big ledger into millions of reads);
    None on other databases."""
    connection = await session.connection()
    if connection.dialect.name != "sqlite":
        return None
    raw = await connection.get_raw_connection()
    driver = raw.driver_connection
    assert driver is not None
    if not getattr(raw, "_points_mmap", False):
        await driver.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")
        await driver.execute(f"PRAGMA wal_autocheckpoint = {CHECKPOINT_PAGES}")
        setattr(raw, "_points_mmap", True)  # noqa: B010 - once per pooled connection
    return driver


BULK_CACHE_KIB = 262_144  # the page cache of a transaction that writes a re-score


async def bulk_write_cache(session: AsyncSession, on: bool) -> None:
    """On SQLite, a large page cache for a transaction that updates a great many rows (a
    re-score's corrections and balances: with the default 2 MB most index pages are
    spilled and read back again), or back to the default."""
    driver = await _sqlite_driver(session)
    if driver is not None:
        size = -BULK_CACHE_KIB if on else -2000
        await driver.execute(f"PRAGMA cache_size = {size}")


async def _sqlite_many(session: AsyncSession, sql: str, params: list[tuple[Any, ...]]) -> bool:
    """executemany on SQLite's own driver (SQLAlchemy's per-row work is the cost of a bulk
    write there); False on other databases."""
    driver = await _sqlite_driver(session)
    if driver is None:
        return False
    await driver.executemany(sql, params)
    return True


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
    if not await _sqlite_many(session, _SQLITE_LEDGER, _sqlite_rows(rows)):
        await _execute(session, insert(LEDGER), list(rows))
    by_day: defaultdict[tuple[int, date], int] = defaultdict(int)
    for row in rows:
        by_day[(row["user_id"], row["day"])] += row["delta"]
    increments: defaultdict[tuple[str, int], int] = defaultdict(int)
    for (user_id, day), delta in by_day.items():
        for period in periods_of(day):
            increments[(period, user_id)] += delta
    await add_to_balances(session, rows[0]["guild_id"], increments)


async def add_to_balances(
    session: AsyncSession, guild_id: int, increments: Mapping[tuple[str, int], int]
) -> None:
    """Add to balances: (period, user id) -> points (rows are created as needed)."""
    rows = [
        {"guild_id": guild_id, "period": p, "user_id": u, "points": n}
        for (p, u), n in sorted(increments.items())
        if n
    ]
    if not rows or await _sqlite_many(
        session,
        _SQLITE_BALANCES,
        [(guild_id, r["period"], r["user_id"], r["points"]) for r in rows],
    ):
        return
    statement = pg_insert(BALANCES)
    statement = statement.on_conflict_do_update(
        index_elements=["guild_id", "period", "user_id"],
        set_={"points": BALANCES.c.points + statement.excluded.points},
    )
    await _execute(session, statement, rows)


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
    result = await _execute(
        session,
        select(func.count()).where(LEDGER.c.guild_id == guild_id, LEDGER.c.user_id == user_id),
    )
    return int(result.scalar_one())


async def cause_used(session: AsyncSession, guild_id: int, rule: str, cause: str) -> bool:
    """True when any member has an entry of this rule and cause (an adjustment replayed)."""
    result = await _execute(
        session,
        select(LEDGER.c.id)
        .where(LEDGER.c.guild_id == guild_id, LEDGER.c.rule == rule, LEDGER.c.cause == cause)
        .limit(1),
    )
    return result.first() is not None


async def ledger_size(session: AsyncSession, guild_id: int) -> int:
    """How many entries the guild's ledger holds."""
    result = await _execute(session, select(func.count()).where(LEDGER.c.guild_id == guild_id))
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
    driver = await _sqlite_driver(session)
    if driver is not None:
        cursor = await driver.execute(
            "SELECT user_id, rule, cause, kind, delta, day, id FROM points_ledger NOT INDEXED"
            " WHERE guild_id = ? AND user_id % ? = ? ORDER BY id",
            (guild_id, parts, part),
        )
        rows = await cursor.fetchall()
    else:
        result = await _execute(
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
    for part in _chunks(sorted(user_ids)):
        result = await _execute(
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
    result = await _execute(
        session,
        select(LEDGER.c.user_id, func.count(), func.max(LEDGER.c.id))
        .where(LEDGER.c.guild_id == guild_id)
        .group_by(LEDGER.c.user_id),
    )
    return {int(u): (int(n), int(last)) for u, n, last in result.all()}


# -- balances and boards -------------------------------------------------------------------


async def balances(
    session: AsyncSession, guild_id: int, user_id: int, periods: Sequence[str]
) -> dict[str, int]:
    """The member's points in each period (0 when none)."""
    await _sqlite_driver(session)  # memory-mapped reads from here on, on this connection
    result = await _execute(
        session,
        select(BALANCES.c.period, BALANCES.c.points).where(
            BALANCES.c.guild_id == guild_id,
            BALANCES.c.user_id == user_id,
            BALANCES.c.period.in_(periods),
        ),
    )
    found = {str(p): int(n) for p, n in result.all()}
    return {period: found.get(period, 0) for period in periods}


async def all_time(
    session: AsyncSession, guild_id: int, user_ids: Collection[int]
) -> dict[int, int]:
    """All-time points of these members (0 when none)."""
    found = dict.fromkeys(user_ids, 0)
    for part in _chunks(sorted(user_ids)):
        result = await _execute(
            session,
            select(BALANCES.c.user_id, BALANCES.c.points).where(
                BALANCES.c.guild_id == guild_id,
                BALANCES.c.period == "all",
                BALANCES.c.user_id.in_(part),
            ),
        )
        found.update((int(u), int(n)) for u, n in result.all())
    return found


async def board(
    session: AsyncSession, guild_id: int, period: str, limit: int
) -> list[tuple[int, int, bool]]:
    """The top of a period's board: (user id, points, hidden), most points first."""
    result = await _execute(
        session,
        select(BALANCES.c.user_id, BALANCES.c.points, MEMBERS.c.hidden)
        .select_from(
            BALANCES.outerjoin(
                MEMBERS,
                (MEMBERS.c.guild_id == BALANCES.c.guild_id)
                & (MEMBERS.c.user_id == BALANCES.c.user_id),
            )
        )
        .where(BALANCES.c.guild_id == guild_id, BALANCES.c.period == period, BALANCES.c.points > 0)
        .order_by(BALANCES.c.points.desc())
        .limit(limit),
    )
    return [(int(u), int(n), bool(h)) for u, n, h in result.all()]


async def dense_rank(session: AsyncSession, guild_id: int, period: str, points: int) -> int:
    """1 + the number of distinct balances above `points` in the period."""
    result = await _execute(
        session,
        select(func.count(BALANCES.c.points.distinct())).where(
            BALANCES.c.guild_id == guild_id,
            BALANCES.c.period == period,
            BALANCES.c.points > points,
        ),
    )
    return 1 + int(result.scalar_one())


async def sums_from_ledger(session: AsyncSession, guild_id: int) -> dict[tuple[str, int], int]:
    """Every balance computed from the ledger: (period, user id) -> points."""
    result = await _execute(
        session,
        select(LEDGER.c.user_id, LEDGER.c.day, func.sum(LEDGER.c.delta))
        .where(LEDGER.c.guild_id == guild_id)
        .group_by(LEDGER.c.user_id, LEDGER.c.day),
    )
    sums: defaultdict[tuple[str, int], int] = defaultdict(int)
    for user_id, day, total in result.all():
        for period in periods_of(day):
            sums[(period, int(user_id))] += int(total)
    return dict(sums)


async def stored_balances(session: AsyncSession, guild_id: int) -> dict[tuple[str, int], int]:
    """Every stored balance that is not zero: (period, user id) -> points."""
    result = await _execute(
        session,
        select(BALANCES.c.period, BALANCES.c.user_id, BALANCES.c.points).where(
            BALANCES.c.guild_id == guild_id, BALANCES.c.points != 0
        ),
    )
    return {(str(p), int(u)): int(n) for p, u, n in result.all()}


async def rebuild_balances(session: AsyncSession, guild_id: int) -> int:
    """Replace the guild's balances with the ledger's sums; how many rows were written."""
    await _execute(session, delete(BALANCES).where(BALANCES.c.guild_id == guild_id))
    sums = {key: n for key, n in (await sums_from_ledger(session, guild_id)).items() if n}
    await add_to_balances(session, guild_id, sums)
    return len(sums)


# -- re-scores ------------------------------------------------------------------------------


async def add_rescore(session: AsyncSession, row: PointsRescore) -> PointsRescore:
    """Store a previewed re-score; older previews of the guild go stale."""
    await _execute(
        session,
        update(RESCORES)
        .where(RESCORES.c.guild_id == row.guild_id, RESCORES.c.status == "preview")
        .values(status="stale"),
    )
    session.add(row)
    await session.flush()
    return row


async def rescore(session: AsyncSession, rescore_id: int) -> PointsRescore | None:
    """One re-score."""
    return await session.get(PointsRescore, rescore_id)
