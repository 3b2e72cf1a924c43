"""Group commit: events that arrive while a batch is being written go into the next one.

The first caller writes; whoever arrives meanwhile waits for the batch that carries their
event. Each caller returns once its event is committed, and a burst costs one transaction
per batch instead of one per event.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")
MAX_BATCH = 4000


class GroupCommit(Generic[T]):
    """Writes items in batches through `write(items)`; `submit` returns once its item is in."""

    def __init__(self, write: Callable[[Sequence[T]], Awaitable[None]]) -> None:
        self._write = write
        self._waiting: list[tuple[T, asyncio.Future[None]]] = []
        self._writing = False

    async def submit(self, item: T) -> None:
        """Write `item` (with whatever else is waiting); raises what writing it raised."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((item, done))
        if not self._writing:
            self._writing = True
            try:
                while self._waiting:
                    batch, self._waiting = self._waiting[:MAX_BATCH], self._waiting[MAX_BATCH:]
                    await self._write_batch(batch)
            except BaseException:
                for _, waiting in self._waiting:
                    if not waiting.done():
                        waiting.set_exception(RuntimeError("the batch writer stopped"))
                self._waiting = []
                raise
            finally:
                self._writing = False
        await done

    async def _write_batch(self, batch: list[tuple[T, asyncio.Future[None]]]) -> None:
        try:
            await self._write([item for item, _ in batch])
        except Exception as error:
            if len(batch) == 1:
                if not batch[0][1].done():
                    batch[0][1].set_exception(error)
                return
            log.warning("a batch of %d failed; writing them one by one", len(batch), exc_info=True)
            for pair in batch:  # a bad item fails alone
                await self._write_batch([pair])
            return
        for _, done in batch:
            if not done.done():
                done.set_result(None)
