"""The interaction log's batched writer: the event loop never waits on disk."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert

from storage.database import Database
from storage.models import Interaction
from storage.types import NaiveDatetimeError

log = logging.getLogger(__name__)

_COLUMNS = ("guild_id", "user_id", "kind", "channel_id", "ref", "at", "meta", "source_key")
_SQLITE_INSERT = (
    f"INSERT OR IGNORE INTO interactions ({', '.join(_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in _COLUMNS)})"
)
_OVERLOAD_LOG_EVERY_S = 10.0
_RETRY_DELAYS_S = (0.05, 0.2, 1.0, 5.0)


@dataclass
class WriterStats:
    """Counters exposed on /metrics and /healthz."""

    written: int = 0
    batches: int = 0
    dropped: int = 0
    failures: int = 0


def _sqlite_text(at: datetime) -> str:
    """The text SQLite stores for a `UTCDateTime` (see storage.types)."""
    if at.utcoffset():
        at = at.astimezone(UTC)
    return at.replace(tzinfo=None).isoformat(" ", "microseconds")


class InteractionLog:
    """Queue of interaction rows flushed in batches by one writer task.

    `record()` never blocks and never touches the database. Rows are written
    when `batch_size` are pending or `flush_interval` seconds have passed,
    whichever comes first, and on `close()`. The queue is bounded by
    `max_pending`: past it new rows are refused, counted and logged.
    """

    def __init__(
        self,
        db: Database,
        *,
        batch_size: int = 1000,
        flush_interval: float = 1.0,
        max_pending: int = 100_000,
        max_batch: int = 5000,
    ) -> None:
        self._db = db
        self._sqlite = db.is_sqlite
        self.batch_size = batch_size
        self.flush_interval = flush_interval
        self.max_pending = max_pending
        self.max_batch = max(max_batch, batch_size)
        self.stats = WriterStats()
        self._pending: list[tuple[Any, ...]] = []
        self._in_flight = 0
        self._wake = asyncio.Event()
        self._room = asyncio.Event()
        self._room.set()
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        self._last_overload_log = 0.0

    @property
    def pending(self) -> int:
        """Rows accepted but not yet written."""
        return len(self._pending) + self._in_flight

    @property
    def running(self) -> bool:
        """True while the writer task is alive."""
        return self._task is not None and not self._task.done()

    def record(
        self,
        guild_id: int,
        user_id: int,
        kind: str,
        at: datetime,
        *,
        channel_id: int | None = None,
        ref: str | None = None,
        meta: dict[str, Any] | None = None,
        source_key: str | None = None,
    ) -> bool:
        """Queue one interaction; False when the queue is full and the row was refused."""
        if at.tzinfo is None:
            raise NaiveDatetimeError(f"naive datetime {at!r}: use an aware UTC datetime")
        if self._closing:
            raise RuntimeError("the interaction log is closed")
        if self.pending >= self.max_pending:
            self._refuse()
            return False
        # Rows are stored ready for the driver, so a flush does no per-row work on the loop.
        if self._sqlite:
            self._pending.append(
                (guild_id, user_id, kind, channel_id, ref, _sqlite_text(at),
                 None if meta is None else json.dumps(meta, separators=(",", ":")), source_key)
            )  # fmt: skip
        else:
            self._pending.append((guild_id, user_id, kind, channel_id, ref, at, meta, source_key))
        if len(self._pending) >= self.batch_size:
            self._wake.set()
        if self.pending >= self.max_pending:
            self._room.clear()
        return True

    async def wait_for_room(self) -> None:
        """Wait until the queue is below its bound (for bulk producers)."""
        await self._room.wait()

    async def start(self) -> None:
        """Start the writer task."""
        if self.running:
            return
        self._closing = False
        self._task = asyncio.create_task(self._run(), name="interaction-log-writer")

    async def flush(self) -> None:
        """Write everything queued so far."""
        while self._pending:
            await self._write_next_batch()

    async def close(self) -> None:
        """Stop accepting rows, write everything queued, stop the task."""
        self._closing = True
        self._wake.set()
        if self._task is not None:
            await self._task
            self._task = None
        await self.flush()
        log.info(
            "interaction log closed: %d written in %d batches, %d refused",
            self.stats.written,
            self.stats.batches,
            self.stats.dropped,
        )

    def _refuse(self) -> None:
        self.stats.dropped += 1
        now = time.monotonic()
        if now - self._last_overload_log >= _OVERLOAD_LOG_EVERY_S:
            self._last_overload_log = now
            log.warning(
                "interaction log overloaded: %d pending, %d refused so far",
                self.pending,
                self.stats.dropped,
            )

    async def _run(self) -> None:
        while not self._closing:
            if len(self._pending) < self.batch_size:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=self.flush_interval)
                self._wake.clear()
            if self._pending and not self._closing:
                await self._write_next_batch()

    async def _write_next_batch(self) -> None:
        batch = self._pending[: self.max_batch]
        del self._pending[: len(batch)]
        self._in_flight += len(batch)
        try:
            await self._write_with_retry(batch)
        finally:
            self._in_flight -= len(batch)
            if self.pending < self.max_pending:
                self._room.set()

    async def _write_with_retry(self, batch: Sequence[tuple[Any, ...]]) -> None:
        attempt = 0
        while True:
            try:
                await self._insert(batch)
            except Exception:
                self.stats.failures += 1
                delay = _RETRY_DELAYS_S[min(attempt, len(_RETRY_DELAYS_S) - 1)]
                log.exception(
                    "interaction log: writing %d rows failed (attempt %d); retrying in %.2fs",
                    len(batch),
                    attempt + 1,
                    delay,
                )
                attempt += 1
                await asyncio.sleep(delay)
                continue
            self.stats.written += len(batch)
            self.stats.batches += 1
            return

    async def _insert(self, batch: Sequence[tuple[Any, ...]]) -> None:
        if self._sqlite:
            await self._insert_sqlite(batch)
        else:
            await self._insert_postgresql(batch)

    async def _insert_sqlite(self, batch: Sequence[tuple[Any, ...]]) -> None:
        # The driver's own executemany: SQLAlchemy's per-row bookkeeping would
        # cost three times as much, and aiosqlite runs it off the event loop.
        async with self._db.sqlite_writer, self._db.engine.connect() as conn:
            raw = await conn.get_raw_connection()
            driver = raw.driver_connection
            assert driver is not None
            await driver.execute("BEGIN IMMEDIATE")
            try:
                await driver.executemany(_SQLITE_INSERT, batch)
            except BaseException:
                await driver.execute("ROLLBACK")
                raise
            await driver.execute("COMMIT")

    async def _insert_postgresql(self, batch: Sequence[tuple[Any, ...]]) -> None:
        rows = [dict(zip(_COLUMNS, row, strict=True)) for row in batch]
        statement = pg_insert(Interaction).on_conflict_do_nothing(index_elements=["source_key"])
        async with self._db.engine.begin() as conn:
            await conn.execute(statement, rows)
