"""Queries on the points settings, members, askers, open days and re-scores; they never
commit. The ledger is in `ledger.py`, balances and boards in `balances.py`."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.points.models import PointsMember, PointsRescore, PointsSettings
from storage.points.tables import (
    MEMBERS,
    OPEN_DAYS,
    QUESTIONS,
    RESCORES,
    chunks,
    dialect,
    execute,
    insert_ignore,
)


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
    for part in chunks(sorted(user_ids)):
        result = await execute(
            session,
            select(MEMBERS.c.user_id, MEMBERS.c.level).where(
                MEMBERS.c.guild_id == guild_id, MEMBERS.c.user_id.in_(part)
            ),
        )
        found.update((int(u), int(n)) for u, n in result.all())
    return found


async def members_with_points(session: AsyncSession, guild_id: int) -> list[int]:
    """Every member who has a level applied (everyone whose points ever changed)."""
    result = await execute(session, select(MEMBERS.c.user_id).where(MEMBERS.c.guild_id == guild_id))
    return [int(user_id) for (user_id,) in result.all()]


async def set_levels(session: AsyncSession, guild_id: int, levels: Mapping[int, int]) -> None:
    """Record members' applied levels (user id -> level); rows are created as needed."""
    if not levels:
        return
    rows = [
        {"guild_id": guild_id, "user_id": u, "hidden": False, "level": n}
        for u, n in sorted(levels.items())
    ]
    maker = pg_insert if await dialect(session) == "postgresql" else sqlite_insert
    statement = maker(MEMBERS)
    statement = statement.on_conflict_do_update(
        index_elements=["guild_id", "user_id"], set_={"level": statement.excluded.level}
    )
    await execute(session, statement, rows)


async def record_askers(session: AsyncSession, guild_id: int, askers: Mapping[int, int]) -> None:
    """Remember who asked each question (question id -> asker id); known ones stay."""
    if not askers:
        return
    rows = [{"guild_id": guild_id, "question_id": q, "asker_id": a} for q, a in askers.items()]
    await insert_ignore(session, QUESTIONS, rows, ["guild_id", "question_id"])


async def askers(
    session: AsyncSession, guild_id: int, question_ids: Collection[int]
) -> dict[int, int]:
    """Question id -> asker id, for the known ones."""
    found: dict[int, int] = {}
    for part in chunks(sorted(question_ids)):
        result = await execute(
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
    await insert_ignore(session, OPEN_DAYS, rows, ["guild_id", "user_id", "day"])


async def open_days(
    session: AsyncSession, guild_id: int, user_id: int, first: date, last: date
) -> int:
    """Distinct days from `first` to `last` (inclusive) on which the member opened content."""
    result = await execute(
        session,
        select(func.count()).where(
            OPEN_DAYS.c.guild_id == guild_id,
            OPEN_DAYS.c.user_id == user_id,
            OPEN_DAYS.c.day >= first,
            OPEN_DAYS.c.day <= last,
        ),
    )
    return int(result.scalar_one())


async def add_rescore(session: AsyncSession, row: PointsRescore) -> PointsRescore:
    """Store a previewed re-score; older previews of the guild go stale."""
    await execute(
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
