"""The custom-id scheme: ids round-trip, foreign or hostile ids are refused."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.ids import BadCustomId, CustomId, custom_id, int_value, parse, pattern


def test_custom_id_round_trips_through_parse() -> None:
    assert parse(custom_id("drops", "open", 42)) == CustomId("drops", "open", "42")


def test_pattern_matches_the_ids_it_describes() -> None:
    match = re.fullmatch(pattern("qa", "accept"), custom_id("qa", "accept", 1234567890123))
    assert match is not None and match["value"] == "1234567890123"


def test_custom_id_refuses_to_exceed_discords_limit() -> None:
    with pytest.raises(ValueError, match="longer than 100"):
        custom_id("drops", "open", "x" * 100)


@pytest.mark.parametrize("raw", ["", "drop:open:1", "lyceum:drops", "lyceum:Drops:open:1"])
def test_parse_refuses_ids_the_bot_did_not_make(raw: str) -> None:
    with pytest.raises(BadCustomId):
        parse(raw)


@pytest.mark.parametrize("raw", ["", "0", "-1", "²³", "1" * 21, str(2**63), "12a"])
def test_int_value_refuses_what_is_not_a_snowflake(raw: str) -> None:
    with pytest.raises(BadCustomId):
        int_value(raw)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=120))
def test_parse_of_any_text_returns_or_refuses_cleanly(raw: str) -> None:
    try:
        parsed = parse(raw)
    except BadCustomId:
        return
    assert raw == f"lyceum:{parsed.feature}:{parsed.action}:{parsed.value}"
