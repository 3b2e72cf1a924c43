"""Balances per period: kept incrementally, read by boards and /points, rebuildable from
the ledger. Nothing here commits."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.points.periods import periods_of
from storage.points.tables import (
    BALANCES,
    LEDGER,
    MEMBERS,
    chunks,
    execute,
    sqlite_driver,
    sqlite_many,
)

_SQLITE_BALANCES = (
    "INSERT INTO points_balances (guild_id, period, user_id, points) VALUES (?, ?, ?, ?)"
    " ON CONFLICT (guild_id, period, user_id) DO UPDATE SET points = points + excluded.points"
)


async def add_to_balances(
    session: AsyncSession, guild_id: int, increments: Mapping[tuple[str, int], int]
) -> None:
    """Add to balances: (period, user id) -> points (rows are created as needed)."""
    rows = [
        {"guild_id": guild_id, "period": p, "user_id": u, "points": n}
        for (p, u), n in sorted(increments.items())
        if n
    ]
    if not rows or await sqlite_many(
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
    await execute(session, statement, rows)


async def member_balances(
    session: AsyncSession, guild_id: int, user_id: int, periods: Sequence[str]
) -> dict[str, int]:
    """The member's points in each period (0 when none)."""
    await sqlite_driver(session)  # memory-mapped reads from here on, on this connection
    result = await execute(
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
    for part in chunks(sorted(user_ids)):
        result = await execute(
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
    result = await execute(
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
    result = await execute(
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
    result = await execute(
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
    result = await execute(
        session,
        select(BALANCES.c.period, BALANCES.c.user_id, BALANCES.c.points).where(
            BALANCES.c.guild_id == guild_id, BALANCES.c.points != 0
        ),
    )
    return {(str(p), int(u)): int(n) for p, u, n in result.all()}


async def rebuild_balances(session: AsyncSession, guild_id: int) -> int:
    """Replace the guild's balances with the ledger's sums; how many rows were written."""
    await execute(session, delete(BALANCES).where(BALANCES.c.guild_id == guild_id))
    sums = {key: n for key, n in (await sums_from_ledger(session, guild_id)).items() if n}
    await add_to_balances(session, guild_id, sums)
    return len(sums)
