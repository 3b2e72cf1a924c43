"""Time for the stand-in: an injectable clock and billing-period arithmetic."""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol

Clock = Callable[[], datetime]


class HasNow(Protocol):
    """A clock object in the bot's style (`bot.core.clock.FakeClock`)."""

    def now(self) -> datetime:
        """The current time, aware UTC."""
        ...


def as_clock(clock: Clock | HasNow | None) -> Clock:
    """A plain callable from a callable, an object with `.now()`, or None (the wall clock)."""
    if clock is None:
        return real_clock
    now: Clock | None = getattr(clock, "now", None)
    if callable(now):
        return now
    if callable(clock):
        return clock
    raise TypeError("clock must be a callable or have a now() method")


def real_clock() -> datetime:
    """The wall clock, aware UTC."""
    return datetime.now(UTC)


def timestamp(clock: Clock) -> int:
    """The clock's time as a Unix timestamp; refuses naive datetimes."""
    now = clock()
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("the Stripe sandbox clock must return an aware datetime")
    return int(now.timestamp())


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
