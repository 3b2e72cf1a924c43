"""Repeat rules run on the guild's wall clock across DST, and refuse what they cannot read."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.core.errors import InvalidInput
from bot.services.drops.repeat import next_occurrence, parse_repeat

BERLIN = "Europe/Berlin"


def test_daily_keeps_the_wall_time_across_spring_forward() -> None:
    before = datetime(2027, 3, 27, 8, 0, tzinfo=UTC)  # 09:00 CET
    assert next_occurrence("daily", before, BERLIN) == datetime(2027, 3, 28, 7, 0, tzinfo=UTC)


def test_weekly_keeps_the_wall_time_across_fall_back() -> None:
    before = datetime(2027, 10, 25, 16, 0, tzinfo=UTC)  # Monday 18:00 CEST
    assert next_occurrence("weekly", before, BERLIN) == datetime(2027, 11, 1, 17, 0, tzinfo=UTC)


def test_a_cron_time_in_the_gap_posts_just_after_it() -> None:
    before = datetime(2027, 3, 27, 1, 30, tzinfo=UTC)  # 02:30 CET
    following = next_occurrence("cron:30 2 * * *", before, BERLIN)
    assert following == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)  # 03:30 CEST


def test_a_cron_time_in_the_fold_posts_once() -> None:
    first = next_occurrence("cron:30 2 * * *", datetime(2027, 10, 30, 0, 30, tzinfo=UTC), BERLIN)
    assert first == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)
    assert next_occurrence("cron:30 2 * * *", first, BERLIN) == datetime(
        2027, 11, 1, 1, 30, tzinfo=UTC
    )


def test_a_one_off_drop_has_no_next_occurrence() -> None:
    assert next_occurrence("none", datetime(2027, 1, 1, tzinfo=UTC), BERLIN) is None


@pytest.mark.parametrize("typed", ["every tuesday", "* * *", "61 * * * *", "0 9 * * funday"])
def test_an_unreadable_repeat_is_refused(typed: str) -> None:
    with pytest.raises(InvalidInput, match="cron expression"):
        parse_repeat(typed)


def test_a_cron_expression_is_stored_with_its_prefix() -> None:
    assert parse_repeat("0 9 * * MON") == "cron:0 9 * * mon"
