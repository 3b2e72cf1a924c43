import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlmodel import func, select

from storage.audit.models import AuditEntry
from storage.database import Database, UnsupportedDatabase, create_engine
from tests.conftest import sqlite_only

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


@sqlite_only
async def test_sqlite_runs_in_wal_with_foreign_keys_and_busy_timeout(db: Database) -> None:
    async with db.engine.connect() as conn:
        journal = (await conn.execute(text("PRAGMA journal_mode"))).scalar()
        synchronous = (await conn.execute(text("PRAGMA synchronous"))).scalar()
        foreign_keys = (await conn.execute(text("PRAGMA foreign_keys"))).scalar()
        busy = (await conn.execute(text("PRAGMA busy_timeout"))).scalar()
    assert (journal, synchronous, foreign_keys) == ("wal", 1, 1)
    assert busy == 5000


def test_unsupported_driver_is_refused_with_a_hint() -> None:
    with pytest.raises(UnsupportedDatabase, match="sqlite\\+aiosqlite"):
        create_engine("mysql+aiomysql://localhost/lyceum")


async def test_failed_transaction_rolls_back(db: Database) -> None:
    with pytest.raises(RuntimeError):
        async with db.transaction() as session:
            session.add(AuditEntry(guild_id=1, actor_id=2, action="test", created_at=NOW))
            await session.flush()
            raise RuntimeError("boom")
    async with db.read() as session:
        count = (await session.exec(select(func.count()).select_from(AuditEntry))).one()
    assert count == 0


async def test_ping_answers_true(db: Database) -> None:
    assert await db.ping()


async def test_a_task_is_cancelled_only_once_its_transaction_has_ended(db: Database) -> None:
    inside, leave = asyncio.Event(), asyncio.Event()
    steps: list[str] = []

    async def writer() -> None:
        async with db.transaction() as session:
            session.add(AuditEntry(guild_id=1, actor_id=2, action="test", created_at=NOW))
            inside.set()
            await leave.wait()
        steps.append("committed")
        await asyncio.sleep(3600)  # between transactions: a fine place to be cancelled
        steps.append("never")

    task = asyncio.create_task(writer())
    await inside.wait()
    assert db.in_transaction(task)
    cancelling = asyncio.create_task(db.cancel_between_transactions(task))
    await asyncio.sleep(0.05)
    assert not task.done()
    leave.set()
    await asyncio.wait_for(cancelling, 5)
    assert task.cancelled() and steps == ["committed"] and not db.in_transaction(task)
    async with db.read() as session:
        assert (await session.exec(select(func.count()).select_from(AuditEntry))).one() == 1
