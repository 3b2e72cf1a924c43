"""Interaction-log ingest: the real writer vs raw sqlite3 executemany, in the same run.

Prints one JSON line:
{"events": N, "writer_events_per_s": ..., "raw_sqlite_events_per_s": ...,
 "ratio": ..., "max_loop_stall_ms": ...}
Targets: ratio >= 0.5; the event loop never stalls more than 20 ms while the writer runs.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import sqlite3
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from storage.database import Database
from storage.interaction_log import InteractionLog
from storage.migrate import upgrade

KINDS = ("message", "reply", "reaction", "command", "button")
START = datetime(2026, 1, 5, tzinfo=UTC)


def event(i: int) -> tuple[int, int, str, int, datetime, str]:
    """The i-th synthetic event: guild, user, kind, channel, time, source key."""
    return (
        1,
        1000 + i % 5000,
        KINDS[i % 5],
        10 + i % 7,
        START + timedelta(seconds=i),
        f"message:{i}",
    )


async def fresh_database(folder: Path, name: str) -> Database:
    db = Database.from_url(f"sqlite+aiosqlite:///{folder / name}")
    await upgrade(db)
    return db


class LoopStallMeter:
    """Measures how late a 1 ms ticker wakes up: the longest time the loop was blocked."""

    def __init__(self) -> None:
        self.max_stall_s = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _tick(self) -> None:
        interval = 0.001
        while True:
            before = time.perf_counter()
            await asyncio.sleep(interval)
            late = time.perf_counter() - before - interval
            self.max_stall_s = max(self.max_stall_s, late)

    def start(self) -> None:
        self._task = asyncio.create_task(self._tick())

    async def stop(self) -> None:
        assert self._task is not None
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task


async def run_writer(folder: Path, events: int) -> tuple[float, float]:
    """Push `events` through InteractionLog.record as a gateway would; (seconds, max stall)."""
    db = await fresh_database(folder, "writer.db")
    log = InteractionLog(db, batch_size=2000, flush_interval=0.05, max_pending=50_000)
    await log.start()
    gc.freeze()  # as `lyceum run` does once everything is built (bot/runtime.py)
    meter = LoopStallMeter()
    meter.start()
    started = time.perf_counter()
    for i in range(events):
        guild, user, kind, channel, at, key = event(i)
        if log.pending >= log.max_pending:
            await log.wait_for_room()
        log.record(guild, user, kind, at, channel_id=channel, source_key=key)
        if i % 500 == 0:
            await asyncio.sleep(0)  # events arrive from the gateway between awaits
    await log.close()
    elapsed = time.perf_counter() - started
    await meter.stop()
    assert log.stats.written == events and log.stats.dropped == 0, log.stats
    await db.close()
    return elapsed, meter.max_stall_s


async def run_raw(folder: Path, events: int) -> float:
    """The same rows through raw sqlite3.executemany in WAL, same schema and indexes."""
    db = await fresh_database(folder, "raw.db")
    await db.close()
    connection = sqlite3.connect(folder / "raw.db", isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    sql = (
        "INSERT OR IGNORE INTO interactions "
        "(guild_id, user_id, kind, channel_id, ref, at, meta, source_key) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
    )
    started = time.perf_counter()
    batch = 2000
    for offset in range(0, events, batch):
        rows = []
        for i in range(offset, min(offset + batch, events)):
            guild, user, kind, channel, at, key = event(i)
            rows.append(
                (guild, user, kind, channel, None,
                 at.replace(tzinfo=None).isoformat(" ", "microseconds"), None, key)
            )  # fmt: skip
        connection.execute("BEGIN IMMEDIATE")
        connection.executemany(sql, rows)
        connection.execute("COMMIT")
    elapsed = time.perf_counter() - started
    connection.close()
    return elapsed


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=200_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        raw_s = await run_raw(folder, args.events)
        writer_s, stall_s = await run_writer(folder, args.events)
    writer_rate = args.events / writer_s
    raw_rate = args.events / raw_s
    print(
        json.dumps(
            {
                "events": args.events,
                "writer_events_per_s": round(writer_rate),
                "raw_sqlite_events_per_s": round(raw_rate),
                "ratio": round(writer_rate / raw_rate, 3),
                "max_loop_stall_ms": round(stall_s * 1000, 2),
            }
        )
    )


if __name__ == "__main__":
    asyncio.run(main())
