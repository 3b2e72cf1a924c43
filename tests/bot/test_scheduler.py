"""The scheduler's shutdown: running jobs finish, within a bound."""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime

import pytest
from sqlmodel import func, select

from bot.scheduler import Scheduler
from sandbox.discord.waiting import poll
from storage.audit.models import AuditEntry
from storage.database import Database

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


async def test_shutdown_lets_a_running_job_finish() -> None:
    scheduler = Scheduler(shutdown_timeout=5)
    started, release = asyncio.Event(), asyncio.Event()
    finished: list[str] = []

    async def post_report() -> None:
        started.set()
        await release.wait()
        finished.append("posted")

    scheduler.start()
    scheduler.every("report", post_report, seconds=3600, start_now=True)
    await asyncio.wait_for(started.wait(), timeout=5)
    stopping = asyncio.create_task(scheduler.shutdown())
    await poll(lambda: scheduler.draining, timeout=5)
    release.set()
    await asyncio.wait_for(stopping, timeout=5)
    assert finished == ["posted"] and not scheduler.running


async def test_shutdown_cuts_off_a_job_still_running_at_its_deadline(
    caplog: pytest.LogCaptureFixture,
) -> None:
    scheduler = Scheduler(shutdown_timeout=0.1)
    started, never = asyncio.Event(), asyncio.Event()

    async def stuck() -> None:
        started.set()
        await never.wait()

    scheduler.start()
    scheduler.every("stuck", stuck, seconds=3600, start_now=True)
    await asyncio.wait_for(started.wait(), timeout=5)
    began = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="bot.scheduler"):
        await scheduler.shutdown()
    assert time.monotonic() - began < 2
    assert "cutting off job(s) still running after 0.1s: stuck" in caplog.text


async def test_no_job_fires_once_shutdown_has_begun() -> None:
    scheduler = Scheduler(shutdown_timeout=5)
    started, release = asyncio.Event(), asyncio.Event()
    fired: list[str] = []

    async def long_job() -> None:
        started.set()
        await release.wait()

    async def other() -> None:
        fired.append("other")

    scheduler.start()
    scheduler.every("long", long_job, seconds=3600, start_now=True)
    await asyncio.wait_for(started.wait(), timeout=5)
    stopping = asyncio.create_task(scheduler.shutdown())
    await poll(lambda: scheduler.draining, timeout=5)
    scheduler.every("other", other, seconds=3600, start_now=True)
    release.set()
    await asyncio.wait_for(stopping, timeout=5)
    assert fired == []


async def test_a_job_cut_off_inside_a_transaction_is_cut_only_once_it_has_committed(
    db: Database,
) -> None:
    scheduler = Scheduler(shutdown_timeout=0.1, cut_off=db.cancel_between_transactions)
    inside, leave = asyncio.Event(), asyncio.Event()
    steps: list[str] = []

    async def rollup() -> None:
        async with db.transaction() as session:
            session.add(AuditEntry(guild_id=1, actor_id=2, action="rollup", created_at=NOW))
            inside.set()
            await leave.wait()
        steps.append("committed")
        await asyncio.Event().wait()  # still running: cut off here

    scheduler.start()
    scheduler.every("rollup", rollup, seconds=3600, start_now=True)
    await asyncio.wait_for(inside.wait(), timeout=5)
    stopping = asyncio.create_task(scheduler.shutdown())
    await asyncio.sleep(0.3)  # past the deadline, still inside the transaction
    assert not stopping.done()
    leave.set()
    await asyncio.wait_for(stopping, timeout=5)
    assert steps == ["committed"]
    async with db.read() as session:
        assert (await session.exec(select(func.count()).select_from(AuditEntry))).one() == 1
