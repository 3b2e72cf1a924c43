"""The points tables and the statement helpers their queries share; nothing here commits."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.points.models import (
    PointsBalance,
    PointsEntry,
    PointsMember,
    PointsOpenDay,
    PointsQuestion,
    PointsRescore,
)

CHUNK = 500  # ids per IN (...) list


def _table(model: type[Any]) -> Table:
    found = getattr(model, "__table__")  # noqa: B009 - SQLModel declares no type for it
    assert isinstance(found, Table)
    return found


LEDGER = _table(PointsEntry)
BALANCES = _table(PointsBalance)
MEMBERS = _table(PointsMember)
OPEN_DAYS = _table(PointsOpenDay)
QUESTIONS = _table(PointsQuestion)
RESCORES = _table(PointsRescore)


def chunks(items: Sequence[Any]) -> list[Sequence[Any]]:
    """`items` in slices short enough for one IN (...) list."""
    return [items[i : i + CHUNK] for i in range(0, len(items), CHUNK)]


async def execute(session: AsyncSession, statement: Any, params: Any = None) -> Any:
    """Run a Core statement on the session's connection (inside its transaction)."""
    connection = await session.connection()
    if params is None:
        return await connection.execute(statement)
    return await connection.execute(statement, params)


async def dialect(session: AsyncSession) -> str:
    """The session's database: "sqlite" or "postgresql"."""
    return (await session.connection()).dialect.name


async def insert_ignore(
    session: AsyncSession, table: Table, rows: list[dict[str, Any]], keys: list[str]
) -> None:
    """Insert rows; those whose `keys` already exist are left as they are."""
    if not rows:
        return
    maker = pg_insert if await dialect(session) == "postgresql" else sqlite_insert
    await execute(session, maker(table).on_conflict_do_nothing(index_elements=keys), rows)


MMAP_BYTES = 1 << 30  # a large ledger is read through the OS page cache, not 4 KiB reads
# A batch of awards changes pages all over the ledger's and the balances' indexes; copying
# them back from the WAL after every commit (SQLite's default, at 1,000 pages) cost more
# than writing them. Checkpointing every 20,000 pages (80 MB of WAL) copies each hot page
# once for many batches.
CHECKPOINT_PAGES = 20_000


async def sqlite_driver(session: AsyncSession) -> Any:
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
    driver = await sqlite_driver(session)
    if driver is not None:
        size = -BULK_CACHE_KIB if on else -2000
        await driver.execute(f"PRAGMA cache_size = {size}")


async def sqlite_many(session: AsyncSession, sql: str, params: list[tuple[Any, ...]]) -> bool:
    """executemany on SQLite's own driver (SQLAlchemy's per-row work is the cost of a bulk
    write there); False on other databases."""
    driver = await sqlite_driver(session)
    if driver is None:
        return False
    await driver.executemany(sql, params)
    return True
