"""Weeks a member can type: a week in range, or a clear InvalidInput (never OverflowError)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.errors import InvalidInput
from bot.services.stats.weeks import GuildCalendar, IsoWeek
from storage.database import Database
from tests.services.stats.community import GUILD, stats_service
from tests.services.stats.test_dce_import import NOW

OUT_OF_RANGE = ["0001-W01", "0001-W1", "1970-W01", "2014-W52", "9999-W52", "0000-W01"]
MALFORMED = [
    "",
    "W47",
    "2026-W",
    "2026-W99",
    "2026-W00",
    "2025-W53",
    "\uff12\uff10\uff12\uff16-W47",
    "x" * 10_000,
]


@pytest.mark.parametrize("week", OUT_OF_RANGE + MALFORMED)
async def test_a_week_out_of_range_or_malformed_is_a_clear_refusal(db: Database, week: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        await stats_service(db, NOW).weekly_report(GUILD, week)
    assert len(refused.value.user_message) < 200


async def test_the_first_week_in_range_reports(db: Database) -> None:
    report = await stats_service(db, NOW).weekly_report(GUILD, "2015-W01")
    assert report.wau == 0


week_texts = st.one_of(
    st.text(max_size=12),
    st.builds("{}-W{}".format, st.integers(0, 99999), st.integers(0, 99)),
    st.builds("{:04d}W{:02d}".format, st.integers(0, 9999), st.integers(0, 60)),
)


@settings(max_examples=50, deadline=None)
@given(text=week_texts, timezone=st.sampled_from(["UTC", "Pacific/Kiritimati", "Etc/GMT+12"]))
def test_any_typed_week_parses_into_range_or_is_refused(text: str, timezone: str) -> None:
    try:
        week = IsoWeek.parse(text)
    except InvalidInput:
        return
    calendar = GuildCalendar(timezone)
    # What a report does with a week: its edges, a year of weeks around it, their cohorts.
    for shifted in (week.shift(-520), week.shift(520)):
        assert calendar.week_start(shifted) < calendar.week_end(shifted)
