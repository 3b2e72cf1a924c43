"""Group commit: many callers' small writes committed in one transaction.

Under a wave (a thousand joins in ten seconds) every member's bookkeeping is a write
transaction of its own, and SQLite has one writer. `GroupCommit.run(work)` queues `work`
(a function of a session that only reads and writes the database) and returns once the
transaction holding it has committed: each caller still acts after its commit. Work queued
while a transaction runs goes into the next one, so nobody waits for a timer, and a lone
caller pays one transaction as before. When one work of a batch fails, the batch is rolled
back and each work runs again in a transaction of its own: only its caller sees the error.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from storage.database import Database, Session

log = logging.getLogger(__name__)

T = TypeVar("T")
Work = Callable[["Session"], Awaitable[Any]]

MAX_BATCH = 200


class GroupCommit:
    """Commits queued works together, in the order they were queued."""

    def __init__(self, db: Database, *, max_batch: int = MAX_BATCH) -> None:
        self._db = db
        self._max_batch = max_batch
        self._queue: list[tuple[Work, asyncio.Future[Any]]] = []
        self._flusher: asyncio.Task[None] | None = None

    async def run(self, work: Callable[[Session], Awaitable[T]]) -> T:
        """Run `work` in a write transaction shared with other callers; its result once
        committed (its exception if it failed, and then nothing of it was written)."""
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._queue.append((work, future))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush(), name="group-commit")
        return await future

    async def _flush(self) -> None:
        try:
            while self._queue:
                batch = self._queue[: self._max_batch]
                del self._queue[: self._max_batch]
                await self._commit(batch)
        except BaseException:  # cancelled at shutdown: nobody waits forever
            for _, future in self._queue:
                future.cancel()
            self._queue.clear()
            raise

    async def _commit(self, batch: list[tuple[Work, asyncio.Future[Any]]]) -> None:
        try:
            try:
                async with self._db.transaction() as session:
                    results = [await work(session) for work, _ in batch]
            except Exception as error:
                if len(batch) == 1:
                    _settle(batch[0][1], error=error)
                    return
                for work, future in batch:  # again one by one: only the culprit fails
                    await self._alone(work, future)
                return
            for (_, future), result in zip(batch, results, strict=True):
                _settle(future, result)
        except BaseException:
            for _, future in batch:
                future.cancel()
            raise

    async def _alone(self, work: Work, future: asyncio.Future[Any]) -> None:
        try:
            async with self._db.transaction() as session:
                result = await work(session)
        except Exception as error:
            _settle(future, error=error)
            return
        _settle(future, result)


def _settle(
    future: asyncio.Future[Any], result: Any = None, *, error: Exception | None = None
) -> None:
    """Hand the caller its result (unless it stopped waiting)."""
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)
