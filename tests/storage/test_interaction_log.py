import asyncio
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import func, select

from storage.database import Database
from storage.interaction_log import InteractionLog
from storage.models import Interaction
from storage.types import NaiveDatetimeError

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
        rows = (await session.exec(select(Interaction).order_by(Interaction.user_id))).all()
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


async def test_failed_write_is_retried_until_it_succeeds(db: Database) -> None:
    log = InteractionLog(db, batch_size=1, flush_interval=3600)
    real_insert = log._insert
    failures = iter([RuntimeError("database is locked")])

    async def flaky_insert(batch: object) -> None:
        error = next(failures, None)
        if error is not None:
            raise error
        await real_insert(batch)  # type: ignore[arg-type]

    log._insert = flaky_insert  # type: ignore[method-assign]
    await log.start()
    log.record(1, 2, "message", T0)
    await eventually(lambda: log.stats.written == 1)
    assert log.stats.failures == 1
    await log.close()
    assert await stored_count(db) == 1
