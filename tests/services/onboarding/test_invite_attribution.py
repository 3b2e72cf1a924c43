"""Comparing invite counts before and after joins: one code that rose, or unknown."""

from __future__ import annotations

from bot.services.onboarding.invites import attribute


def test_the_one_code_that_rose_is_the_source() -> None:
    found = attribute({"a": 3, "b": 1}, {"a": 4, "b": 1}, joins=1)

    assert (found.code, found.snapshot) == ("a", {"a": 4, "b": 1})


def test_two_codes_rising_at_once_is_unknown() -> None:
    found = attribute({"a": 3, "b": 1}, {"a": 4, "b": 2}, joins=2)

    assert (found.code, found.snapshot) == (None, {"a": 4, "b": 2})


def test_nothing_rising_is_unknown() -> None:
    assert attribute({"a": 3}, {"a": 3}, joins=1).code is None


def test_fewer_uses_than_joins_is_unknown() -> None:
    assert attribute({"a": 3}, {"a": 4}, joins=2).code is None


def test_a_rise_beyond_the_joins_is_kept_as_credit_for_joins_on_their_way() -> None:
    found = attribute({"a": 3}, {"a": 6}, joins=2)

    assert (found.code, found.snapshot) == ("a", {"a": 5})
    assert attribute(found.snapshot, {"a": 6}, joins=1).code == "a"


def test_a_code_never_seen_with_uses_is_unknown() -> None:
    assert attribute({"a": 3}, {"a": 4, "new": 2}, joins=1).code is None


def test_a_new_code_without_uses_does_not_get_in_the_way() -> None:
    found = attribute({"a": 3}, {"a": 4, "new": 0}, joins=1)

    assert (found.code, found.snapshot) == ("a", {"a": 4, "new": 0})


def test_a_vanished_code_does_not_get_in_the_way() -> None:
    assert attribute({"a": 3, "gone": 5}, {"a": 4}, joins=1).code == "a"
