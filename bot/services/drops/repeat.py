"""Repeat rules: daily, weekly, or a cron expression, in the guild's timezone across DST."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from croniter import CroniterError, croniter

from bot.core.errors import InvalidInput
from bot.core.text import t
from bot.services.drops.when import at_wall, local_wall

NONE = "none"
CRON_PREFIX = "cron:"
MAX_RULE = 80


def parse_repeat(text: str | None) -> str:
    """The stored rule for what the moderator typed; InvalidInput when it is not one."""
    cleaned = " ".join((text or "").lower().split())
    if cleaned in ("", "none", "no", "once"):
        return NONE
    if cleaned in ("daily", "weekly"):
        return cleaned
    expression = cleaned.removeprefix(CRON_PREFIX).strip()
    if len(expression) <= MAX_RULE and len(expression.split()) == 5 and _valid(expression):
        return CRON_PREFIX + expression
    raise InvalidInput(
        t(
            "Repeat must be `daily`, `weekly` or a cron expression of five fields "
            "(e.g. `0 9 * * mon` = Mondays at 09:00, in the server's timezone)."
        )
    )


def _valid(expression: str) -> bool:
    try:
        return (
            bool(croniter.is_valid(expression))
            and _next_wall(expression, datetime(2026, 1, 1, tzinfo=UTC).replace(tzinfo=None))
            is not None
        )
    except (CroniterError, ValueError, KeyError, OverflowError):
        return False


def _next_wall(expression: str, after: datetime) -> datetime | None:
    try:
        found = croniter(expression, after).get_next(datetime)
    except (CroniterError, ValueError, KeyError, OverflowError):
        return None
    return found if isinstance(found, datetime) else None


def next_occurrence(rule: str, previous: datetime, timezone: str) -> datetime | None:
    """The occurrence after `previous` (an instant), or None for a one-off drop.

    Rules run on the wall clock: a daily 09:00 stays 09:00 across DST changes; a time the
    clocks skip lands just after the gap; a time that happens twice posts once.
    """
    if rule == NONE:
        return None
    wall = local_wall(previous, timezone)
    if rule == "daily":
        return at_wall(wall + timedelta(days=1), timezone)
    if rule == "weekly":
        return at_wall(wall + timedelta(weeks=1), timezone)
    if rule.startswith(CRON_PREFIX):
        following = _next_wall(rule.removeprefix(CRON_PREFIX), wall)
        if following is None:
            return None
        instant = at_wall(following, timezone)
        # A fold read at its first occurrence can land before `previous`: step on.
        while instant <= previous:
            following = _next_wall(rule.removeprefix(CRON_PREFIX), following)
            if following is None:
                return None
            instant = at_wall(following, timezone)
        return instant
    return None


def describe(rule: str) -> str:
    """The rule as moderators read it."""
    if rule == NONE:
        return t("once")
    if rule == "daily":
        return t("daily")
    if rule == "weekly":
        return t("weekly")
    return t("cron `{expression}`", expression=rule.removeprefix(CRON_PREFIX))
