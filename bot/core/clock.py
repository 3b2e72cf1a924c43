"""The one place that reads the wall clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Tells the current time as an aware UTC datetime."""

    def now(self) -> datetime:
        """The current time, aware UTC."""
        ...


class SystemClock(Clock):
    """The real clock."""

    def now(self) -> datetime:
        """The current time, aware UTC."""
        return datetime.now(UTC)


class FakeClock(Clock):
    """A clock that moves only when told to (tests and the demo's history)."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FakeClock needs an aware datetime")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        """The current fake time."""
        return self._now

    def set(self, moment: datetime) -> None:
        """Jump to `moment` (aware)."""
        if moment.tzinfo is None:
            raise ValueError("FakeClock needs an aware datetime")
        self._now = moment.astimezone(UTC)

    def advance(self, delta: timedelta) -> datetime:
        """Move forward by `delta` and return the new time."""
        self._now += delta
        return self._now
