"""ISO weeks and the local days and windows they cover, in a guild's time zone."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import total_ordering
from zoneinfo import ZoneInfo

from bot.core.errors import InvalidInput
from bot.core.text import t

_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE | re.ASCII)
# Weeks a report can be asked for: Discord began in 2015; nothing is logged past 2099.
FIRST_YEAR, LAST_YEAR = 2015, 2099


@total_ordering
@dataclass(frozen=True)
class IsoWeek:
    """An ISO 8601 week such as 2026-W47 (Monday to Monday)."""

    year: int
    week: int

    def __post_init__(self) -> None:
        try:
            date.fromisocalendar(self.year, self.week, 1)
        except ValueError:
            raise InvalidInput(
                t(
                    "{year}-W{week} is not a week of the calendar",
                    year=self.year,
                    week=format(self.week, "02d"),
                )
            ) from None

    @classmethod
    def parse(cls, text: str) -> IsoWeek:
        """Read "2026-W47" (or "2026W47"); `InvalidInput` explains the expected form."""
        match = _WEEK.match(text.strip()) if len(text) <= 40 else None
        if not match:
            shown = repr(text) if len(text) <= 40 else t("that")
            raise InvalidInput(t("{text} is not a week; write it like 2026-W47", text=shown))
        year = int(match.group(1))
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise InvalidInput(
                t(
                    "{week} is out of range; choose a week from {first} to {last}, like 2026-W47",
                    week=match.group(0),
                    first=FIRST_YEAR,
                    last=LAST_YEAR,
                )
            )
        return cls(year, int(match.group(2)))

    @classmethod
    def containing(cls, day: date) -> IsoWeek:
        """The week a calendar day belongs to."""
        year, week, _ = day.isocalendar()
        return cls(year, week)

    @property
    def monday(self) -> date:
        """The week's first day."""
        return date.fromisocalendar(self.year, self.week, 1)

    def days(self) -> list[date]:
        """The seven days, Monday first."""
        return [self.monday + timedelta(days=i) for i in range(7)]

    def shift(self, weeks: int) -> IsoWeek:
        """The week `weeks` later (or earlier when negative)."""
        return IsoWeek.containing(self.monday + timedelta(weeks=weeks))

    def __sub__(self, other: IsoWeek) -> int:
        return (self.monday - other.monday).days // 7

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, IsoWeek):
            return NotImplemented
        return (self.year, self.week) < (other.year, other.week)

    def __str__(self) -> str:
        return f"{self.year}-W{self.week:02d}"


class GuildCalendar:
    """Turns local days and weeks of one time zone into UTC instants and back."""

    def __init__(self, timezone: str = "UTC") -> None:
        self.timezone = timezone
        self._zone = ZoneInfo(timezone)

    def day_start(self, day: date) -> datetime:
        """Local midnight starting `day`, as aware UTC."""
        return datetime.combine(day, time(0), tzinfo=self._zone).astimezone(UTC)

    def day_of(self, moment: datetime) -> date:
        """The local day an instant falls on."""
        return moment.astimezone(self._zone).date()

    def week_start(self, week: IsoWeek) -> datetime:
        """Monday 00:00 local, as aware UTC."""
        return self.day_start(week.monday)

    def week_end(self, week: IsoWeek) -> datetime:
        """The next Monday 00:00 local, as aware UTC (exclusive)."""
        return self.day_start(week.monday + timedelta(days=7))

    def week_of(self, moment: datetime) -> IsoWeek:
        """The local week an instant falls in."""
        return IsoWeek.containing(self.day_of(moment))

    def last_complete_week(self, now: datetime) -> IsoWeek:
        """The most recent week that has ended by `now`."""
        return self.week_of(now).shift(-1)

    def local(self, moment: datetime) -> datetime:
        """The instant in local time (for display)."""
        return moment.astimezone(self._zone)

    def at_local(self, day: date, hour: int) -> datetime:
        """`hour`:00 local on `day`, as aware UTC."""
        return datetime.combine(day, time(hour), tzinfo=self._zone).astimezone(UTC)


def monday_of(day: date) -> date:
    """The Monday of the ISO week holding `day`."""
    return day - timedelta(days=day.weekday())
