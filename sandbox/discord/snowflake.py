"""Snowflake ids and timestamps in the shapes Discord uses."""

from __future__ import annotations

import time
from datetime import UTC, datetime

DISCORD_EPOCH_MS = 1_420_070_400_000


class Snowflakes:
    """Makes unique, time-ordered snowflakes (timestamp << 22 | worker | process | increment)."""

    def __init__(self, worker: int = 1, process: int = 1) -> None:
        self._prefix = (worker & 0x1F) << 17 | (process & 0x1F) << 12
        self._last_ms = 0
        self._increment = 0

    def next(self) -> int:
        """Return a new snowflake, strictly greater than the previous one."""
        now_ms = time.time_ns() // 1_000_000 - DISCORD_EPOCH_MS
        if now_ms <= self._last_ms:
            self._increment += 1
            if self._increment > 0xFFF:
                self._last_ms += 1
                self._increment = 0
            now_ms = self._last_ms
        else:
            self._increment = 0
        self._last_ms = now_ms
        return now_ms << 22 | self._prefix | self._increment


def snowflake_time(snowflake: int) -> datetime:
    """Return the aware UTC time encoded in a snowflake."""
    return datetime.fromtimestamp(((snowflake >> 22) + DISCORD_EPOCH_MS) / 1000, UTC)


def iso(moment: datetime) -> str:
    """Format an aware datetime as Discord does (ISO-8601 with microseconds and offset)."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def now() -> datetime:
    """Return the current aware UTC time."""
    return datetime.now(UTC)
