"""Time for the stand-in: an injectable clock and billing-period arithmetic."""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

Clock = Callable[[], datetime]


def real_clock() -> datetime:
    """The wall clock, aware UTC."""
    return datetime.now(UTC)


def timestamp(clock: Clock) -> int:
    """The clock's time as a Unix timestamp; refuses naive datetimes."""
    now = clock()
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("the Stripe sandbox clock must return an aware datetime")
    return int(now.timestamp())


class ManualClock:
    """A clock for tests and demos: it stands still until moved."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
        if self._now.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")

    def __call__(self) -> datetime:
        """The current (fake) time."""
        return self._now

    def advance(self, delta: timedelta) -> datetime:
        """Move forward by `delta` and return the new time."""
        self._now += delta
        return self._now

    def set(self, when: datetime) -> None:
        """Jump to `when` (aware)."""
        if when.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self._now = when


def _add_months(moment: datetime, months: int, day: int) -> datetime:
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    last_day = calendar.monthrange(year, month)[1]
    return moment.replace(year=year, month=month, day=min(day, last_day))


def period_end(anchor: int, start: int, interval: str, count: int) -> int:
    """End of the billing period that begins at `start`, keeping the anchor's day of month."""
    anchor_dt = datetime.fromtimestamp(anchor, UTC)
    step = 1
    while True:
        if interval in ("month", "year"):
            months = count * step * (12 if interval == "year" else 1)
            end = _add_months(anchor_dt, months, anchor_dt.day)
        elif interval in ("week", "day"):
            end = anchor_dt + timedelta(**{f"{interval}s": count * step})
        else:
            raise ValueError(f"unknown billing interval {interval!r}")
        if int(end.timestamp()) > start:
            return int(end.timestamp())
        step += 1
