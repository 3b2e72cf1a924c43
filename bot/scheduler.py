"""The scheduler: APScheduler as a timer only; the database holds what is due."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from datetime import datetime
from typing import Any

from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.core.clock import SystemClock

log = logging.getLogger(__name__)

Job = Callable[[], Awaitable[Any]]
CutOff = Callable[["asyncio.Task[Any]"], Awaitable[None]]


class Scheduler:
    """Named jobs on the running event loop, rebuilt from the database at start."""

    def __init__(self, *, shutdown_timeout: float = 5.0, cut_off: CutOff | None = None) -> None:
        """`cut_off` cancels a late job safely (the runtime's: between two transactions)."""
        # In-memory store on purpose: the SQLAlchemy job store would open blocking
        # sqlite connections on the event loop.
        self._scheduler = AsyncIOScheduler(jobstores={"default": MemoryJobStore()}, timezone="UTC")
        self.shutdown_timeout = shutdown_timeout
        self._cut_off = cut_off
        self._jobs_running: dict[asyncio.Task[Any], str] = {}
        self._draining = False

    def start(self) -> None:
        """Start firing jobs (call inside the running loop)."""
        self._scheduler.start()

    async def shutdown(self) -> None:
        """Fire no new jobs, wait up to `shutdown_timeout` s for running ones, cut off the rest."""
        if not self._scheduler.running:
            return
        self._scheduler.pause()
        self._draining = True
        try:
            running = set(self._jobs_running)
            if running:
                log.info("waiting for %d running job(s) to finish", len(running))
                _, late = await asyncio.wait(running, timeout=self.shutdown_timeout)
                if late:
                    log.warning(
                        "cutting off job(s) still running after %.1fs: %s",
                        self.shutdown_timeout,
                        ", ".join(sorted(self._jobs_running.get(t, "?") for t in late)),
                    )
                    if self._cut_off is not None:
                        for task in late:
                            await self._cut_off(task)
        finally:
            self._draining = False
            # APScheduler's asyncio executor cancels whatever is still running here.
            self._scheduler.shutdown(wait=False)

    @property
    def draining(self) -> bool:
        """True while shutdown waits for running jobs."""
        return self._draining

    @property
    def running(self) -> bool:
        """True between start and shutdown."""
        return bool(self._scheduler.running)

    def every(self, job_id: str, func: Job, *, seconds: float, start_now: bool = False) -> None:
        """Run `func` every `seconds` (replacing a job with the same id)."""
        trigger = IntervalTrigger(seconds=seconds)
        self._add(
            job_id,
            func,
            trigger,
            next_run_time=SystemClock().now()
            if start_now
            else None,  # APScheduler runs on real time
        )

    def cron(self, job_id: str, func: Job, *, timezone: str = "UTC", **fields: Any) -> None:
        """Run `func` on a cron schedule such as `day_of_week="mon", hour=9` in `timezone`."""
        self._add(job_id, func, CronTrigger(timezone=timezone, **fields))

    def at(self, job_id: str, func: Job, when: datetime) -> None:
        """Run `func` once at `when` (aware)."""
        self._add(job_id, func, DateTrigger(run_date=when))

    def cancel(self, job_id: str) -> None:
        """Forget a job if it exists."""
        if self._scheduler.get_job(job_id):
            self._scheduler.remove_job(job_id)

    def job_ids(self) -> list[str]:
        """Ids of the scheduled jobs."""
        return [job.id for job in self._scheduler.get_jobs()]

    def _add(
        self, job_id: str, func: Job, trigger: Any, next_run_time: datetime | None = None
    ) -> None:
        extra = {"next_run_time": next_run_time} if next_run_time else {}
        self._scheduler.add_job(
            self._tracked(job_id, func),
            trigger,
            id=job_id,
            name=job_id,
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=None,
            **extra,
        )

    def _tracked(self, job_id: str, func: Job) -> Callable[[], Coroutine[Any, Any, Any]]:
        """`func` as a coroutine function whose runs shutdown can wait for."""

        async def run() -> Any:
            task = asyncio.current_task()
            if task is not None:
                self._jobs_running[task] = job_id
            try:
                return await func()
            finally:
                if task is not None:
                    self._jobs_running.pop(task, None)

        return run
