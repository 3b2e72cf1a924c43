"""Background loops that stop between units of work, never inside a database transaction.

A worker loop waits for work (idle), then does one unit of it inside `busy()`.
`stop()` raises the `stopping` flag: idle loops are cancelled at once (they hold
nothing); busy ones finish the unit in hand, see the flag and return. A unit that
outlives the grace period is cancelled at a moment it holds no transaction, so no
connection is ever left inside one.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from typing import Any

from storage.database import Database

log = logging.getLogger(__name__)

STOP_GRACE_S = 10.0


class WorkerTasks:
    """The tasks of one worker, stopped together and in order."""

    def __init__(self, db: Database, *, grace: float = STOP_GRACE_S) -> None:
        self._db = db
        self.grace = grace
        self.stopping = False
        self._tasks: list[asyncio.Task[None]] = []
        self._busy: set[asyncio.Task[Any]] = set()

    @property
    def running(self) -> bool:
        """True between the first `spawn` and `stop`."""
        return bool(self._tasks)

    def spawn(self, loop: Coroutine[Any, Any, None], name: str) -> None:
        """Run one worker loop as a task."""
        self.stopping = False
        self._tasks.append(asyncio.create_task(loop, name=name))

    @contextmanager
    def busy(self) -> Iterator[None]:
        """Mark the calling task as doing a unit of work: `stop()` lets it finish."""
        task = asyncio.current_task()
        if task is None:
            yield
            return
        self._busy.add(task)
        try:
            yield
        finally:
            self._busy.discard(task)

    async def stop(self) -> None:
        """Stop every loop between units of work; wait for the units in hand."""
        tasks, self._tasks = self._tasks, []
        if not tasks:
            return
        self.stopping = True
        for task in tasks:
            if task not in self._busy:
                task.cancel()  # waiting for work: nothing in hand
        _, late = await asyncio.wait(tasks, timeout=self.grace)
        for task in late:
            log.warning(
                "%s still busy after %.1fs at shutdown; stopping it between transactions",
                task.get_name(),
                self.grace,
            )
            await self._db.cancel_between_transactions(task)
        for task in tasks:
            if task.done() and not task.cancelled() and (error := task.exception()) is not None:
                log.error("%s stopped with an error", task.get_name(), exc_info=error)
