"""The scheduler's shutdown: running jobs finish, within a bound."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest

from bot.scheduler import Scheduler
from sandbox.discord.waiting import poll


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
