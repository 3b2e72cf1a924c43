"""The periods a balance is kept for: all time, the ISO week and the month of a local day."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

ALL = "all"


def week_key(day: date) -> str:
    """`w2026-48`: the ISO week of the day."""
    year, week, _ = day.isocalendar()
    return f"w{year}-{week:02d}"


def month_key(day: date) -> str:
    """`m2026-11`: the month of the day."""
    return f"m{day.year}-{day.month:02d}"


@lru_cache(maxsize=4096)
def periods_of(day: date) -> tuple[str, str, str]:
    """Every balance an entry of that day counts in."""
    return (ALL, week_key(day), month_key(day))
