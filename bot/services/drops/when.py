"""Strict time input: what a moderator typed -> one confirmed instant, or a clear refusal.

`dateparser` reads the natural forms, but silently mis-reads some (`31 feb`, `tomorrow
25:00` -> tomorrow at the current hour, `tomorrow at 9` -> the current hour, DST gaps and
folds picked without a word). So every parse is checked against the parts the moderator
actually wrote: each word must belong to an accepted form, each stated part (time, day,
month, year, weekday, "tomorrow") must be in dateparser's answer, and the wall-clock time
must exist exactly once in the guild's timezone. Anything else is an `InvalidInput` that
names the accepted forms; a time that happens twice (a DST fold) gives both instants.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.core.errors import InvalidInput
from bot.core.text import t

MAX_INPUT = 64
MAX_YEARS_AHEAD = 5
_MONTHS = {name.lower(): n for n, name in enumerate(calendar.month_name) if name}
_MONTHS |= {name.lower(): n for n, name in enumerate(calendar.month_abbr) if name}
_MONTHS |= {"sept": 9}
_WEEKDAYS = {name.lower(): n for n, name in enumerate(calendar.day_name)}
_WEEKDAYS |= {name.lower(): n for n, name in enumerate(calendar.day_abbr)}
_WEEKDAYS |= {"tues": 1, "wednes": 2, "thur": 3, "thurs": 3}
_UNITS = {
    **dict.fromkeys(("m", "min", "mins", "minute", "minutes"), timedelta(minutes=1)),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), timedelta(hours=1)),
    **dict.fromkeys(("d", "day", "days"), timedelta(days=1)),
    **dict.fromkeys(("w", "week", "weeks"), timedelta(weeks=1)),
}
_FILLER = {"at", "on", "the", "of", "this", ","}
_TOKEN = re.compile(
    r"\d{4}-\d{1,2}-\d{1,2}(?:t\d{1,2}:\d{2})?|\d{1,2}:\d{2}(?:am|pm)?|\d+[a-z]*|[a-z]+|,|\S"
)
_RELATIVE = re.compile(r"in\s+(\d{1,4})\s*([a-z]+)")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:t(\d{1,2}):(\d{2}))?")
_CLOCK = re.compile(r"(\d{1,2})(?::(\d{2}))?(am|pm)?")
_ORDINAL = re.compile(r"(\d{1,2})(st|nd|rd|th)")


def accepted_forms() -> str:
    """The forms a moderator may type, for error messages."""
    return t(
        "Accepted forms: `2026-12-01 09:00`, `tomorrow 9am`, `in 2h`, `next mon 18:00`, "
        "`3 dec 18:30`, `friday 9am` (in the server's timezone)."
    )


@dataclass(frozen=True)
class WhenChoice:
    """What the input resolved to: one instant, or two when the wall time happens twice."""

    text: str
    instants: tuple[datetime, ...]  # aware UTC, earliest first
    timezone: str

    @property
    def ambiguous(self) -> bool:
        """True when the moderator must pick one of two instants (a DST fold)."""
        return len(self.instants) > 1


@dataclass
class _Stated:
    """The parts the moderator wrote, read without dateparser."""

    hour: int | None = None
    minute: int | None = None
    day: int | None = None
    month: int | None = None
    year: int | None = None
    weekday: int | None = None
    offset_days: int | None = None  # today 0, tomorrow 1
    next_week: bool = False


def zone(name: str) -> ZoneInfo:
    """The guild's timezone (UTC when the name is unknown)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def refuse(reason: str) -> InvalidInput:
    """An InvalidInput saying why, then the accepted forms."""
    return InvalidInput(t("{reason}\n{forms}", reason=reason, forms=accepted_forms()))


def parse_when(text: str, timezone: str, now: datetime) -> WhenChoice:
    """Resolve `text` in `timezone` at `now`: a future instant or InvalidInput, never more."""
    cleaned = " ".join(text.lower().split())
    if not cleaned:
        raise refuse(t("Say when."))
    if len(cleaned) > MAX_INPUT:
        raise refuse(t("That is too long to be a time."))
    if not cleaned.isascii():
        raise refuse(t("I could not read that as a time."))
    tz = zone(timezone)
    relative = _RELATIVE.fullmatch(cleaned)
    if relative:
        instant = _relative(relative, now)
        return WhenChoice(cleaned, (instant,), timezone)
    stated = _read(cleaned)
    if stated.hour is None:
        raise refuse(t("Add a time of day, e.g. `tomorrow 9am`."))
    local_now = now.astimezone(tz).replace(tzinfo=None)
    wall = _dateparser(cleaned, timezone, local_now)
    _check_agrees(stated, wall, local_now)
    if wall.year > local_now.year + MAX_YEARS_AHEAD:
        raise refuse(t("That is too far ahead."))
    if wall.year < local_now.year - 1:
        raise refuse(t("That time is in the past."))
    instants = _instants(wall, tz)
    future = tuple(i for i in instants if i > now)
    if not future:
        raise refuse(t("That time is in the past."))
    return WhenChoice(cleaned, future, timezone)


def _relative(match: re.Match[str], now: datetime) -> datetime:
    amount, unit = int(match[1]), _UNITS.get(match[2])
    if unit is None:
        raise refuse(t("Unknown unit `{unit}`: use minutes, hours, days or weeks.", unit=match[2]))
    if amount == 0:
        raise refuse(t("That time is in the past."))
    delta = unit * amount
    if delta > timedelta(days=366 * MAX_YEARS_AHEAD):
        raise refuse(t("That is too far ahead."))
    return (now + delta).astimezone(UTC).replace(second=0, microsecond=0)


def _read(cleaned: str) -> _Stated:
    """Every token must belong to an accepted form; collect what each one states."""
    stated = _Stated()
    tokens = _TOKEN.findall(cleaned)
    i = 0
    while i < len(tokens):
        token = tokens[i]
        following = tokens[i + 1] if i + 1 < len(tokens) else ""
        if token in _FILLER:
            pass
        elif token in ("today", "tonight"):
            _set(stated, "offset_days", 0)
        elif token == "tomorrow":
            _set(stated, "offset_days", 1)
        elif token == "next":
            stated.next_week = True
        elif token in ("noon", "midday"):
            _set_time(stated, 12, 0)
        elif token == "midnight":
            _set_time(stated, 0, 0)
        elif token in _WEEKDAYS:
            _set(stated, "weekday", _WEEKDAYS[token])
        elif token in _MONTHS:
            _set(stated, "month", _MONTHS[token])
        elif iso := _ISO.fullmatch(token):
            _read_iso(stated, iso)
        elif ordinal := _ORDINAL.fullmatch(token):
            _set(stated, "day", int(ordinal[1]))
        elif token.isdigit() and len(token) == 4:
            _set(stated, "year", int(token))
        elif token.isdigit() and following in ("am", "pm"):
            _read_clock(stated, token + following)
            i += 1
        elif token.isdigit() and (following in _MONTHS or _previous(tokens, i) in _MONTHS):
            _set(stated, "day", int(token))
        elif _CLOCK.fullmatch(token) and (":" in token or token[-2:] in ("am", "pm")):
            _read_clock(stated, token)
        else:
            raise refuse(t("I could not use `{token}`.", token=token[:20]))
        i += 1
    if stated.day is not None and stated.month is None:
        raise refuse(t("Name the month with the day, e.g. `3 dec 18:30`."))
    if stated.next_week and stated.weekday is None:
        raise refuse(t("`next` goes with a weekday, e.g. `next mon 18:00`."))
    _check_calendar(stated)
    return stated


def _previous(tokens: list[str], i: int) -> str:
    return tokens[i - 1] if i > 0 else ""


def _set(stated: _Stated, name: str, value: int) -> None:
    if getattr(stated, name) is not None:
        raise refuse(t("That names the same part twice."))
    setattr(stated, name, value)


def _set_time(stated: _Stated, hour: int, minute: int) -> None:
    if stated.hour is not None:
        raise refuse(t("That names two times of day."))
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise refuse(t("{hour}:{minute:02d} is not a time of day.", hour=hour, minute=minute))
    stated.hour, stated.minute = hour, minute


def _read_clock(stated: _Stated, token: str) -> None:
    match = _CLOCK.fullmatch(token)
    if match is None:
        raise refuse(t("I could not use `{token}`.", token=token[:20]))
    hour, minute, half = int(match[1]), int(match[2] or 0), match[3]
    if half is not None:
        if not 1 <= hour <= 12:
            raise refuse(t("{hour}{half} is not a time of day.", hour=hour, half=half))
        hour = hour % 12 + (12 if half == "pm" else 0)
    _set_time(stated, hour, minute)


def _read_iso(stated: _Stated, match: re.Match[str]) -> None:
    _set(stated, "year", int(match[1]))
    _set(stated, "month", int(match[2]))
    _set(stated, "day", int(match[3]))
    if match[4] is not None:
        _set_time(stated, int(match[4]), int(match[5]))


def _check_calendar(stated: _Stated) -> None:
    """An impossible date (31 feb, month 13) is refused before anything guesses."""
    if stated.month is not None and not 1 <= stated.month <= 12:
        raise refuse(t("There is no month {month}.", month=stated.month))
    if stated.day is None or stated.month is None:
        return
    year = stated.year if stated.year is not None else 2024  # a leap year: 29 feb may exist
    if not 1 <= year <= 9999:
        raise refuse(t("That is too far ahead."))
    if not 1 <= stated.day <= calendar.monthrange(year, stated.month)[1]:
        raise refuse(
            t(
                "{month} has no day {day}.",
                month=calendar.month_name[stated.month],
                day=stated.day,
            )
        )


def _dateparser(cleaned: str, timezone: str, local_now: datetime) -> datetime:
    import dateparser  # a second to load its data: only when a time is really parsed

    settings = {
        "TIMEZONE": timezone,
        "RETURN_AS_TIMEZONE_AWARE": False,
        "PREFER_DATES_FROM": "future",
        "RELATIVE_BASE": local_now,
    }
    try:
        parsed = dateparser.parse(cleaned, languages=["en"], settings=settings)
    except Exception:  # dateparser raises assorted errors on odd input: all mean "no"
        parsed = None
    if parsed is None:
        raise refuse(t("I could not read that as a time."))
    return parsed.replace(second=0, microsecond=0, tzinfo=None)


def _check_agrees(stated: _Stated, wall: datetime, local_now: datetime) -> None:
    """dateparser's answer must keep every part the moderator wrote."""
    today = local_now.date()
    expected: list[bool] = [
        (wall.hour, wall.minute) == (stated.hour, stated.minute),
        stated.day is None or wall.day == stated.day,
        stated.month is None or wall.month == stated.month,
        stated.year is None or wall.year == stated.year,
        stated.weekday is None or wall.weekday() == stated.weekday,
        stated.offset_days is None or wall.date() == today + timedelta(days=stated.offset_days),
    ]
    if stated.year is None and stated.month is not None and wall.date() < today:
        expected.append(False)
    if not all(expected):
        raise refuse(t("I could not read that exactly."))


def _instants(wall: datetime, tz: ZoneInfo) -> tuple[datetime, ...]:
    """The instants at which the wall time `wall` happens in `tz`: none, one or two."""
    found: list[datetime] = []
    for fold in (0, 1):
        candidate = wall.replace(tzinfo=tz, fold=fold)
        instant = candidate.astimezone(UTC)
        if instant.astimezone(tz).replace(tzinfo=None) == wall and instant not in found:
            found.append(instant)
    if not found:
        raise refuse(
            t(
                "{time} does not exist on that day in {zone} (the clocks jump forward).",
                time=wall.strftime("%H:%M"),
                zone=str(tz),
            )
        )
    return tuple(sorted(found))


def local_wall(instant: datetime, timezone: str) -> datetime:
    """The naive wall time of `instant` in `timezone`."""
    return instant.astimezone(zone(timezone)).replace(tzinfo=None)


def at_wall(wall: datetime, timezone: str) -> datetime:
    """The instant of a wall time, for repeats: a skipped time (DST gap) reads with the
    offset before the jump, so it lands just after the gap; a doubled one takes the first."""
    return wall.replace(tzinfo=zone(timezone), fold=0).astimezone(UTC)
