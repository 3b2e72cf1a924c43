"""The log's final flush against a write lock someone else holds (another process, say)."""

import asyncio
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlmodel import func, select

from storage.database import Database
from storage.interaction_log import InteractionLog
from storage.interactions import Interaction
from tests.conftest import sqlite_only
from tests.storage.test_interaction_log import T0

ROWS = 40_000


async def stored_count(db: Database) -> int:
    async with db.read() as session:
        return (await session.exec(select(func.count()).select_from(Interaction))).one()


@contextmanager
def write_lock(path: Path) -> Iterator[sqlite3.Connection]:
    """Hold SQLite's write lock from another connection until the block ends."""
    holder = sqlite3.connect(path, isolation_level=None, timeout=0)
    holder.execute("BEGIN IMMEDIATE")
    try:
        yield holder
    finally:
        if holder.in_transaction:
            holder.execute("ROLLBACK")
        holder.close()


def lock_is_free(path: Path) -> bool:
    """True when a writer could begin right now."""
    probe = sqlite3.connect(path, isolation_level=None, timeout=0)
    try:
        probe.execute("BEGIN IMMEDIATE")
        probe.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        probe.close()


def queued(rows: int, *, close_timeout: float, db: Database) -> InteractionLog:
    log = InteractionLog(db, batch_size=rows + 1, flush_interval=3600, close_timeout=close_timeout)
    for i in range(rows):
        log.record(1, i, "message", T0, source_key=f"message:{i}")
    return log


@sqlite_only
async def test_a_lock_released_before_the_deadline_is_waited_for_and_the_flush_finishes(
    db: Database, tmp_path: Path
) -> None:
    log = queued(ROWS, close_timeout=1.0, db=db)
    await log.start()
    with write_lock(tmp_path / "lyceum.db") as holder:
        # Released just before the deadline: the writing that follows runs past it.
        asyncio.get_running_loop().call_later(0.9, holder.execute, "ROLLBACK")
        await log.close()
    assert (log.stats.lost, log.stats.written) == (0, ROWS)
    assert await stored_count(db) == ROWS


@sqlite_only
async def test_a_lock_held_past_the_deadline_makes_close_give_up_without_leaving_a_writer_behind(
    db: Database, tmp_path: Path
) -> None:
    path = tmp_path / "lyceum.db"
    log = queued(3, close_timeout=0.3, db=db)
    await log.start()
    with write_lock(path):
        started = time.monotonic()
        await log.close()
        took = time.monotonic() - started
        await asyncio.sleep(0.2)  # a BEGIN abandoned halfway would take the lock here
    assert took < 2.0 and (log.stats.lost, log.pending) == (3, 0)
    await asyncio.sleep(0.5)
    assert lock_is_free(path), "the log left a connection holding the write lock"
