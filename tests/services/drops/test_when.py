"""Strict time input: every string is a confirmed instant or a clear refusal."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.errors import InvalidInput
from bot.services.drops.when import parse_when

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # a Monday
ZONES = ("Europe/Berlin", "America/New_York", "UTC")


def _refusal(text: str, zone: str = "Europe/Berlin", now: datetime = NOW) -> str:
    with pytest.raises(InvalidInput) as caught:
        parse_when(text, zone, now)
    return caught.value.user_message


def test_iso_form_is_read_in_the_guilds_timezone() -> None:
    choice = parse_when("2026-12-01 09:00", "Europe/Berlin", NOW)
    assert choice.instants == (datetime(2026, 12, 1, 8, 0, tzinfo=UTC),)


def test_tomorrow_9am_is_read_in_the_guilds_timezone() -> None:
    choice = parse_when("tomorrow 9am", "America/New_York", NOW)
    assert choice.instants == (datetime(2026, 11, 24, 14, 0, tzinfo=UTC),)


def test_in_2h_is_two_hours_from_now() -> None:
    assert parse_when("in 2h", "Europe/Berlin", NOW).instants == (
        datetime(2026, 11, 23, 12, 0, tzinfo=UTC),
    )


def test_next_monday_evening_is_the_coming_monday() -> None:
    choice = parse_when("next mon 18:00", "Europe/Berlin", NOW)
    assert choice.instants == (datetime(2026, 11, 30, 17, 0, tzinfo=UTC),)


def test_31_february_is_refused() -> None:
    assert "February has no day 31" in _refusal("31 feb 10:00")


def test_31_february_without_a_time_is_refused_for_the_date() -> None:
    assert "no day 31" in _refusal("31 feb")


def test_hour_25_is_refused_not_read_as_the_current_hour() -> None:
    assert "25:00 is not a time of day" in _refusal("tomorrow 25:00")


def test_a_word_that_is_not_used_is_refused() -> None:
    assert "banana" in _refusal("tomorrow 9am banana")


def test_a_bare_number_is_refused_rather_than_guessed() -> None:
    assert "`9`" in _refusal("tomorrow at 9")


def test_a_past_time_is_refused() -> None:
    assert "past" in _refusal("2026-11-23 09:00", "UTC")


def test_every_refusal_names_the_accepted_forms() -> None:
    assert "tomorrow 9am" in _refusal("whenever")


@pytest.mark.parametrize(
    ("zone", "text"),
    [("Europe/Berlin", "2027-03-28 02:30"), ("America/New_York", "2027-03-14 02:30")],
)
def test_a_time_in_the_spring_forward_gap_is_refused(zone: str, text: str) -> None:
    assert "does not exist" in _refusal(text, zone)


@pytest.mark.parametrize(
    ("zone", "text", "first", "second"),
    [
        ("Europe/Berlin", "2027-10-31 02:30", datetime(2027, 10, 31, 0, 30, tzinfo=UTC),
         datetime(2027, 10, 31, 1, 30, tzinfo=UTC)),
        ("America/New_York", "2027-11-07 01:30", datetime(2027, 11, 7, 5, 30, tzinfo=UTC),
         datetime(2027, 11, 7, 6, 30, tzinfo=UTC)),
    ],
)  # fmt: skip
def test_a_time_in_the_fall_back_fold_offers_both_instants(
    zone: str, text: str, first: datetime, second: datetime
) -> None:
    choice = parse_when(text, zone, NOW)
    assert choice.ambiguous and choice.instants == (first, second)


_WORDS = st.sampled_from(
    ["tomorrow", "today", "next", "mon", "friday", "feb", "dec", "31", "3rd", "9am", "25:00",
     "18:00", "in", "2h", "at", "9", "2026-12-01", "2027-03-28", "02:30", "noon", "pm", "x"]
)  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=st.one_of(st.text(max_size=40), st.lists(_WORDS, max_size=5).map(" ".join)),
    zone=st.sampled_from(ZONES),
)
def test_any_string_is_an_instant_in_the_future_or_a_clear_refusal(text: str, zone: str) -> None:
    try:
        choice = parse_when(text, zone, NOW)
    except InvalidInput as refusal:
        assert "Accepted forms" in refusal.user_message
        return
    assert choice.instants and all(i > NOW and i.tzinfo is UTC for i in choice.instants)
    assert list(choice.instants) == sorted(choice.instants)
