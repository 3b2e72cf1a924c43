"""The interaction log's batched writer: the event loop never waits on disk."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlmodel import col

from storage.database import SQLITE_BUSY_TIMEOUT_MS, Database
from storage.interactions import Interaction
from storage.types import NaiveDatetimeError

log = logging.getLogger(__name__)

_COLUMNS = ("guild_id", "user_id", "kind", "channel_id", "ref", "at", "meta", "source_key")
_SQLITE_INSERT = (
    f"INSERT OR IGNORE INTO interactions ({', '.join(_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in _COLUMNS)})"
)
_LOG_EVERY_S = 10.0
_RETRY_DELAYS_S = (0.05, 0.2, 1.0, 5.0)
_CANCEL_GRACE_S = 1.0
_WRITING_POLL_S = 0.01
# Errors that say the rows themselves are at fault: retrying the same batch cannot help.
_ROW_ERRORS: tuple[type[BaseException], ...] = (
    sqlite3.IntegrityError,
    sqlite3.DataError,
    sqlite3.ProgrammingError,
    sqlite3.InterfaceError,
    sa_exc.IntegrityError,
    sa_exc.DataError,
)

Row = tuple[Any, ...]


@dataclass
class WriterStats:
    """Counters exposed on /metrics and /healthz."""

    written: int = 0
    batches: int = 0
    dropped: int = 0
    failures: int = 0
    duplicates: int = 0
    set_aside: int = 0
    lost: int = 0


def _sqlite_text(at: datetime) -> str:
    """The text SQLite stores for a `UTCDateTime` (see storage.types)."""
    if at.utcoffset():
        at = at.astimezone(UTC)
    return at.replace(tzinfo=None).isoformat(" ", "microseconds")


def _delay(attempt: int) -> float:
    """Back-off before retry number `attempt` (1-based)."""
    return _RETRY_DELAYS_S[min(attempt, len(_RETRY_DELAYS_S)) - 1]


class InteractionLog:
    """Queue of interaction rows flushed in batches by one writer task.

    `record()` never blocks and never touches the database. Rows are written
    when `batch_size` are pending or `flush_interval` seconds have passed,
    whichever comes first, and on `close()`. The queue is bounded by
    `max_pending`: past it new rows are refused, counted and logged.

    A failed write is retried with back-off. While the database does not answer
    at all the rows wait (the queue bound still holds); a batch the database
    keeps refusing is split in halves until the rows at fault are found, and
    those are set aside, counted and logged. `close()` gives up once the
    database has made no progress for `close_timeout` seconds and counts
    whatever is still unwritten as lost. A write is never cut halfway: at close
    its wait for SQLite's write lock is bounded by the time left instead.
    """

    def __init__(
        self,
        db: Database,
        *,
        batch_size: int = 1000,
        flush_interval: float = 1.0,
        max_pending: int = 100_000,
        max_batch: int = 5000,
        close_timeout: float = 5.0,
        max_attempts: int = 4,
    ) -> None:
        self._db = db
        self._sqlite = db.is_sqlite
        self.batch_size = batch_size
        self.flush_interval = flush_interval
        self.max_pending = max_pending
        self.max_batch = max(max_batch, batch_size)
        self.close_timeout = close_timeout
        self.max_attempts = max(1, max_attempts)
        self.stats = WriterStats()
        self._pending: list[Row] = []
        self._in_flight = 0
        self._wake = asyncio.Event()
        self._room = asyncio.Event()
        self._room.set()
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        self._last_log: dict[str, float] = {}
        self._outage_attempt = 0
        self._give_up_at: float | None = None  # set by close(); moved on by progress
        self._writing = False
        # Who may be recorded (the privacy feature installs it: members who opted out may not).
        self._consent: Callable[[int, int], bool] | None = None

    @property
    def pending(self) -> int:
        """Rows accepted but not yet written."""
        return len(self._pending) + max(self._in_flight, 0)

    @property
    def running(self) -> bool:
        """True while the writer task is alive."""
        return self._task is not None and not self._task.done()

    def set_consent(self, may_record: Callable[[int, int], bool] | None) -> None:
        """Install the check every row passes first: `may_record(guild_id, user_id)`."""
        self._consent = may_record

    def accepts(self, guild_id: int, user_id: int) -> bool:
        """True unless the member asked not to be recorded (any feature may ask)."""
        return self._consent is None or self._consent(guild_id, user_id)

    def forget_pending(self, guild_id: int, user_id: int) -> int:
        """Drop the member's rows still waiting in the queue; how many went."""
        kept = [row for row in self._pending if row[0] != guild_id or row[1] != user_id]
        dropped = len(self._pending) - len(kept)
        self._pending[:] = kept
        if self.pending < self.max_pending:
            self._room.set()
        return dropped

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
        """Queue one interaction; False when it was refused (queue full, or the log closed)
        or skipped (the member asked not to be recorded)."""
        if at.tzinfo is None:
            raise NaiveDatetimeError(f"naive datetime {at!r}: use an aware UTC datetime")
        if self._consent is not None and not self._consent(guild_id, user_id):
            return False
        if self._closing:
            self._refuse("closed")
            return False
        if self.pending >= self.max_pending:
            self._refuse("full")
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
        """Write everything queued so far (at close: until the database stops progressing)."""
        while self._pending and not self._out_of_time():
            await self._write_next_batch()

    async def close(self) -> None:
        """Stop accepting rows and write what is queued; give up once the database has
        made no progress for `close_timeout` s."""
        self._closing = True
        self._wake.set()
        limit = self.close_timeout
        self._give_up_at = time.monotonic() + limit
        task, self._task = self._task, None
        if task is None:
            task = asyncio.create_task(self.flush(), name="interaction-log-final-flush")
        # The writer stops by itself at the deadline; this only catches a wait it cannot
        # bound (our own process's lock, PostgreSQL's): cut it, but never inside a write.
        while not task.done():
            left = self._give_up_at - time.monotonic() + _CANCEL_GRACE_S
            if left <= 0 and not self._writing:
                task.cancel()
                await asyncio.wait({task}, timeout=_CANCEL_GRACE_S)
                break
            await asyncio.wait({task}, timeout=max(left, _WRITING_POLL_S))
        if task.done() and not task.cancelled() and (crash := task.exception()) is not None:
            log.error("interaction log: the writer stopped with an error", exc_info=crash)
        lost = self.pending
        if lost:
            self.stats.lost += lost
            self._pending.clear()
            self._in_flight = 0
            self._room.set()
            log.error(
                "interaction log: gave up at shutdown after %.1fs without progress; "
                "%d rows were not written",
                limit,
                lost,
            )
        log.info(
            "interaction log closed: %d written in %d batches, %d refused, %d set aside, "
            "%d lost, %d duplicates",
            self.stats.written,
            self.stats.batches,
            self.stats.dropped,
            self.stats.set_aside,
            self.stats.lost,
            self.stats.duplicates,
        )

    def _out_of_time(self) -> bool:
        """True at close once the database made no progress for `close_timeout` s."""
        return self._give_up_at is not None and time.monotonic() >= self._give_up_at

    def _time_left(self, wanted: float) -> float:
        """`wanted` seconds, or less when close() gives up sooner."""
        if self._give_up_at is None:
            return wanted
        return max(0.0, min(wanted, self._give_up_at - time.monotonic()))

    def _progressed(self) -> None:
        if self._give_up_at is not None:
            self._give_up_at = time.monotonic() + self.close_timeout

    def _every(self, topic: str) -> bool:
        """True at most once per `_LOG_EVERY_S` per topic (the first time always)."""
        now = time.monotonic()
        last = self._last_log.get(topic)
        if last is not None and now - last < _LOG_EVERY_S:
            return False
        self._last_log[topic] = now
        return True

    def _refuse(self, why: str) -> None:
        self.stats.dropped += 1
        if self._every(f"refused:{why}"):
            log.warning(
                "interaction log %s: row refused (%d pending, %d refused so far)",
                "closed" if why == "closed" else "overloaded",
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
        await self.flush()

    async def _write_next_batch(self) -> None:
        batch = self._pending[: self.max_batch]
        del self._pending[: len(batch)]
        self._in_flight += len(batch)
        await self._write(batch)
        if self.pending < self.max_pending:
            self._room.set()

    async def _write(self, rows: Sequence[Row]) -> None:
        """Write `rows`: retry with back-off, wait out outages, split what keeps failing."""
        attempt = 0
        while True:
            if self._out_of_time():
                return  # the rows stay in flight: close() counts them as lost
            try:
                inserted = await self._insert(rows)
            except Exception as error:
                self.stats.failures += 1
                last_error: Exception = error
                if isinstance(error, _ROW_ERRORS):
                    break
                if not await self._db.ping():
                    await self._wait_out_outage(len(rows))
                    continue
                attempt += 1
                if attempt >= self.max_attempts:
                    break
                log.warning(
                    "interaction log: writing %d rows failed (attempt %d); retrying in %.2fs",
                    len(rows),
                    attempt,
                    _delay(attempt),
                    exc_info=True,
                )
                await asyncio.sleep(self._time_left(_delay(attempt)))
                continue
            self._resolved(len(rows))
            self._progressed()
            self.stats.written += inserted
            self.stats.duplicates += len(rows) - inserted
            self.stats.batches += 1
            return
        if len(rows) > 1:
            half = len(rows) // 2
            if self._every("split"):
                log.warning("interaction log: the database refuses %d rows; splitting", len(rows))
            await self._write(rows[:half])
            await self._write(rows[half:])
            return
        self._set_aside(rows[0], last_error)

    async def _wait_out_outage(self, rows: int) -> None:
        """Back off while the database does not answer; the rows keep their place."""
        self._outage_attempt += 1
        delay = _delay(self._outage_attempt)
        if self._every("outage"):
            log.error(
                "interaction log: the database is unreachable; %d rows waiting, retrying every "
                "%.2fs at most",
                rows + len(self._pending),
                _RETRY_DELAYS_S[-1],
                exc_info=True,
            )
        await asyncio.sleep(self._time_left(delay))

    def _resolved(self, rows: int) -> None:
        self._in_flight -= rows
        self._outage_attempt = 0

    def _set_aside(self, row: Row, error: BaseException) -> None:
        self._resolved(1)
        self.stats.set_aside += 1
        guild_id, user_id, kind, *_, source_key = row
        if self._every("set_aside"):
            log.error(
                "interaction log: set aside a row the database refuses (guild %s, user %s, "
                "kind %s, source_key %s): %r; %d set aside so far",
                guild_id,
                user_id,
                kind,
                source_key,
                error,
                self.stats.set_aside,
            )

    async def _insert(self, batch: Sequence[Row]) -> int:
        """Insert the rows; how many were new (the rest were already stored)."""
        if self._sqlite:
            return await self._insert_sqlite(batch)
        return await self._insert_postgresql(batch)

    async def _insert_sqlite(self, batch: Sequence[Row]) -> int:
        # The driver's own executemany: SQLAlchemy's per-row bookkeeping would
        # cost three times as much, and aiosqlite runs it off the event loop.
        async with self._db.sqlite_writer, self._db.engine.connect() as conn:
            raw = await conn.get_raw_connection()
            driver = raw.driver_connection
            assert driver is not None
            self._writing = True
            # At close, wait for another writer's lock only as long as there is time
            # left: a lock released in time is waited for, and one that is not fails
            # this write cleanly instead of the write being cut halfway.
            lock_wait_ms = round(self._time_left(SQLITE_BUSY_TIMEOUT_MS / 1000) * 1000)
            try:
                if lock_wait_ms != SQLITE_BUSY_TIMEOUT_MS:
                    await driver.execute(f"PRAGMA busy_timeout={lock_wait_ms}")
                await driver.execute("BEGIN IMMEDIATE")
                try:
                    cursor = await driver.executemany(_SQLITE_INSERT, batch)
                except BaseException:
                    await driver.execute("ROLLBACK")
                    raise
                await driver.execute("COMMIT")
                return int(cursor.rowcount)
            finally:
                if lock_wait_ms != SQLITE_BUSY_TIMEOUT_MS:
                    await driver.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
                self._writing = False

    async def _insert_postgresql(self, batch: Sequence[Row]) -> int:
        rows = [dict(zip(_COLUMNS, row, strict=True)) for row in batch]
        statement = (
            pg_insert(Interaction)
            .on_conflict_do_nothing(index_elements=["source_key"])
            .returning(col(Interaction.id))
        )
        self._writing = True
        try:
            async with self._db.engine.begin() as conn:
                result = await conn.execute(statement, rows)
                return len(result.all())
        finally:
            self._writing = False
