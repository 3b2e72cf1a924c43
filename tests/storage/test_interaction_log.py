import asyncio
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import col, func, select

from storage.database import Database
from storage.interaction_log import InteractionLog
from storage.interactions import Interaction
from storage.types import NaiveDatetimeError
from tests.conftest import sqlite_only

T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


async def stored_count(db: Database) -> int:
    async with db.read() as session:
        return (await session.exec(select(func.count()).select_from(Interaction))).one()


async def eventually(check: Callable[[], object], seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while True:
        result = check()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.01)


async def test_full_batch_is_written_without_waiting_for_the_interval(db: Database) -> None:
    log = InteractionLog(db, batch_size=10, flush_interval=3600)
    await log.start()
    for i in range(10):
        log.record(1, i, "message", T0)
    await eventually(lambda: log.stats.written == 10)
    assert await stored_count(db) == 10
    await log.close()


async def test_partial_batch_is_written_after_the_interval(db: Database) -> None:
    log = InteractionLog(db, batch_size=1000, flush_interval=0.05)
    await log.start()
    for i in range(3):
        log.record(1, i, "reaction", T0)
    await eventually(lambda: log.stats.written == 3)
    assert await stored_count(db) == 3
    await log.close()


async def test_close_writes_everything_still_queued(db: Database) -> None:
    log = InteractionLog(db, batch_size=1000, flush_interval=3600)
    await log.start()
    for i in range(25):
        log.record(1, i, "message", T0)
    await log.close()
    assert log.pending == 0
    assert await stored_count(db) == 25


async def test_many_rows_arrive_complete_and_in_their_fields(db: Database) -> None:
    log = InteractionLog(db, batch_size=97, flush_interval=0.01, max_batch=300)
    await log.start()
    for i in range(2500):
        log.record(
            10,
            i,
            "reply" if i % 2 else "message",
            T0 + timedelta(seconds=i),
            channel_id=55,
            ref=f"r{i}",
            meta={"n": i} if i % 5 == 0 else None,
            source_key=f"message:{i}",
        )
        if i % 100 == 0:
            await asyncio.sleep(0)
    await log.close()
    async with db.read() as session:
        rows = (await session.exec(select(Interaction).order_by(col(Interaction.user_id)))).all()
    assert len(rows) == 2500
    last = rows[-1]
    assert (last.guild_id, last.kind, last.channel_id, last.ref) == (10, "reply", 55, "r2499")
    assert last.at == T0 + timedelta(seconds=2499)
    assert rows[5].meta == {"n": 5} and rows[6].meta is None


async def test_duplicate_source_key_is_stored_once(db: Database) -> None:
    log = InteractionLog(db, batch_size=1000, flush_interval=3600)
    await log.start()
    log.record(1, 2, "message", T0, source_key="message:42")
    await log.flush()
    log.record(1, 2, "message", T0, source_key="message:42")
    await log.close()
    assert await stored_count(db) == 1


async def test_queue_over_its_bound_refuses_and_counts(db: Database) -> None:
    log = InteractionLog(db, batch_size=1000, flush_interval=3600, max_pending=5)
    accepted = [log.record(1, i, "message", T0) for i in range(8)]
    assert accepted == [True] * 5 + [False] * 3
    assert log.stats.dropped == 3
    await log.start()
    await log.close()
    assert await stored_count(db) == 5


async def test_naive_time_is_refused_at_once(db: Database) -> None:
    log = InteractionLog(db)
    with pytest.raises(NaiveDatetimeError):
        log.record(1, 2, "message", datetime(2026, 11, 23, 10, 0))


async def execute(db: Database, *statements: str) -> None:
    async with db.engine.begin() as conn:
        for statement in statements:
            await conn.execute(text(statement))


async def hide_the_table(db: Database) -> None:
    """Every insert fails while the database itself still answers."""
    await execute(db, "ALTER TABLE interactions RENAME TO interactions_away")


async def restore_the_table(db: Database) -> None:
    await execute(db, "ALTER TABLE interactions_away RENAME TO interactions")


async def reject_kind(db: Database, kind: str) -> None:
    """A trigger that makes the database refuse rows of one kind."""
    if db.is_sqlite:
        await execute(
            db,
            f"CREATE TRIGGER reject_{kind} BEFORE INSERT ON interactions "
            f"WHEN NEW.kind = '{kind}' BEGIN SELECT RAISE(ABORT, 'refused row'); END",
        )
        return
    await execute(
        db,
        f"CREATE FUNCTION reject_{kind}() RETURNS trigger AS $$ BEGIN "
        f"IF NEW.kind = '{kind}' THEN RAISE EXCEPTION 'refused row' USING ERRCODE = "
        f"'check_violation'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql",
        f"CREATE TRIGGER reject_{kind} BEFORE INSERT ON interactions "
        f"FOR EACH ROW EXECUTE FUNCTION reject_{kind}()",
    )


async def test_failed_write_is_retried_until_it_succeeds(db: Database) -> None:
    log = InteractionLog(db, batch_size=1, flush_interval=3600, max_attempts=100)
    await hide_the_table(db)
    await log.start()
    log.record(1, 2, "message", T0)
    await eventually(lambda: log.stats.failures >= 1)
    await restore_the_table(db)
    await eventually(lambda: log.stats.written == 1)
    assert log.stats.set_aside == 0
    await log.close()
    assert await stored_count(db) == 1


@sqlite_only
async def test_rows_wait_out_a_database_outage_instead_of_being_set_aside(
    db: Database, tmp_path: Path
) -> None:
    path = tmp_path / "lyceum.db"
    log = InteractionLog(db, batch_size=3, flush_interval=3600, max_attempts=1)
    await db.engine.dispose()
    path.rename(tmp_path / "away.db")
    path.mkdir()  # the database file cannot be opened at all: an outage
    await log.start()
    for i in range(3):
        log.record(1, i, "message", T0)
    await eventually(lambda: log.stats.failures >= 2)
    assert (log.stats.set_aside, log.pending) == (0, 3)
    path.rmdir()
    (tmp_path / "away.db").rename(path)
    await eventually(lambda: log.stats.written == 3)
    await log.close()
    assert await stored_count(db) == 3


async def test_close_gives_up_at_its_deadline_and_counts_the_rows_lost(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    log = InteractionLog(db, batch_size=1000, flush_interval=3600, close_timeout=0.2)
    await hide_the_table(db)
    await log.start()
    for i in range(3):
        log.record(1, i, "message", T0)
    started = time.monotonic()
    await log.close()
    assert time.monotonic() - started < 2.0
    assert (log.stats.lost, log.pending) == (3, 0)
    assert "3 rows were not written" in caplog.text


async def test_a_row_the_database_refuses_is_set_aside_and_the_rest_are_written(
    db: Database,
) -> None:
    await reject_kind(db, "poison")
    log = InteractionLog(db, batch_size=10, flush_interval=3600)
    await log.start()
    for i in range(10):
        log.record(1, i, "poison" if i == 6 else "message", T0)
    await eventually(lambda: log.stats.written == 9)
    assert log.stats.set_aside == 1
    await log.close()
    assert await stored_count(db) == 9


async def test_a_set_aside_row_is_logged(db: Database, caplog: pytest.LogCaptureFixture) -> None:
    await reject_kind(db, "poison")
    log = InteractionLog(db, batch_size=1, flush_interval=3600)
    await log.start()
    with caplog.at_level(logging.ERROR, logger="storage.interaction_log"):
        log.record(1, 2, "poison", T0, source_key="message:7")
        await eventually(lambda: log.stats.set_aside == 1)
    await log.close()
    assert "set aside" in caplog.text and "message:7" in caplog.text


async def test_a_batch_that_keeps_failing_is_set_aside_so_later_rows_get_through(
    db: Database,
) -> None:
    log = InteractionLog(db, batch_size=2, flush_interval=3600, max_attempts=2)
    await hide_the_table(db)
    await log.start()
    log.record(1, 1, "message", T0)
    log.record(1, 2, "message", T0)
    await eventually(lambda: log.stats.set_aside == 2)
    await restore_the_table(db)
    log.record(1, 3, "message", T0)
    await log.close()
    assert (log.stats.written, await stored_count(db)) == (1, 1)


async def test_duplicates_the_database_ignores_are_not_counted_as_written(db: Database) -> None:
    log = InteractionLog(db, batch_size=1000, flush_interval=3600)
    await log.start()
    log.record(1, 2, "message", T0, source_key="message:42")
    await log.flush()
    log.record(1, 2, "message", T0, source_key="message:42")
    log.record(1, 3, "message", T0, source_key="message:43")
    await log.close()
    assert (log.stats.written, log.stats.duplicates) == (2, 1)


async def test_a_row_recorded_after_close_is_refused_counted_and_logged(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    log = InteractionLog(db)
    await log.start()
    await log.close()
    with caplog.at_level(logging.WARNING, logger="storage.interaction_log"):
        assert log.record(1, 2, "message", T0) is False
    assert log.stats.dropped == 1
    assert "interaction log closed: row refused" in caplog.text
