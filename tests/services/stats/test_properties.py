"""The SQL and rollups agree with a plain-Python reference on random small communities."""

from __future__ import annotations

import itertools
import math
import os
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from bot.core.clock import FakeClock
from bot.services.stats import IsoWeek, StatsService, WeeklyReport
from bot.services.stats import rollups as refresher
from bot.settings import GuildConfig, Settings
from storage.database import Database
from tests.services.stats.community import Community
from tests.services.stats.reference import Reference, Row

TIMEZONES = ["UTC", "Europe/Berlin", "Asia/Kolkata", "America/New_York"]
KINDS = ["join", "join", "leave", "message", "reply", "reaction", "answer", "voice_join",
         "drop_open", "onboarded", "paid_start", "paid_start", "paid_end", "command"]  # fmt: skip
BASE = datetime(2026, 9, 1, tzinfo=UTC)
STEPS = 80 * 48  # half hours: every local midnight of these zones is on the grid
NOW = datetime(2026, 12, 1, tzinfo=UTC)
_guilds = itertools.count(10_000)


def _boundaries() -> list[datetime]:
    """Local midnights (and half an hour either side) where windows start or end."""
    days = [date(2026, 9, 7) + timedelta(weeks=i) for i in range(12)]
    for week in (44, 45, 46):
        end_day = IsoWeek(2026, week).monday + timedelta(days=7)
        days += [end_day - timedelta(days=n) for n in (30, 60)]
    found: set[datetime] = set()
    for zone in TIMEZONES:
        for day in days:
            midnight = datetime.combine(day, time(0), tzinfo=ZoneInfo(zone)).astimezone(UTC)
            found.update(midnight + timedelta(minutes=m) for m in (-30, 0, 30))
    return sorted(found)


moments = st.one_of(
    st.integers(0, STEPS).map(lambda k: BASE + timedelta(minutes=30 * k)),
    st.sampled_from(_boundaries()),
)


@st.composite
def rows(draw: st.DrawFn) -> tuple[int, str, datetime, str | None, dict[str, Any] | None]:
    """One interaction of a random kind by one of six members."""
    user, kind, when = draw(st.integers(1, 9)), draw(st.sampled_from(KINDS)), draw(moments)
    if kind == "drop_open":
        return user, kind, when, draw(st.sampled_from(["1", "2"])), None
    if kind in ("paid_start", "paid_end"):
        meta = {
            "source": "stripe",
            "amount": draw(st.sampled_from([500, 1200])),
            "currency": "eur",
            "interval": draw(st.sampled_from(["month", "year", None])),
            "interval_count": draw(st.sampled_from([1, 3])),
        }
        return user, kind, when, draw(st.sampled_from(["pro", "team"])), meta
    return user, kind, when, None, None


@st.composite
def questions(
    draw: st.DrawFn,
) -> tuple[datetime, datetime | None, int | None, datetime | None, int | None]:
    """A question, maybe answered, maybe solved."""
    created = draw(moments)
    answered = draw(st.none() | st.integers(1, 400).map(lambda m: created + timedelta(minutes=m)))
    if answered is None:
        return created, None, None, None, None
    answerer = draw(st.integers(1, 6))
    solved = draw(st.none() | st.integers(0, 3000).map(lambda m: answered + timedelta(minutes=m)))
    return created, answered, answerer, solved, answerer if solved else None


def close(a: float | None, b: float | None) -> bool:
    """Equal, or both numbers within rounding."""
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def assert_matches(report: WeeklyReport, expected: dict[str, Any]) -> None:
    """Compare the service's report with the reference's numbers."""
    m = report.members
    assert (m.start, m.end, m.joined, m.left) == expected["members"]
    for name in ("net_growth", "member_retention", "churn", "new_member_retention", "stickiness"):
        assert close(getattr(report, name), expected[name]), name
    assert report.activity.interactions == expected["interactions"]
    assert close(report.activity.per_member, expected["per_member"])
    assert close(report.activity.per_active_member, expected["per_active_member"])
    assert [count for _, count in report.daily_active] == expected["dau"]
    assert close(report.dau_mean, expected["dau_mean"])
    assert (report.wau, report.mau, report.communicators) == (
        expected["wau"],
        expected["mau"],
        expected["communicators"],
    )
    assert [(c.week.monday, c.size, c.retention) for c in report.cohorts] == expected["cohorts"]
    assert [(c.content_id, c.opens, c.share, c.reach) for c in report.content] == expected[
        "content"
    ]
    paying_start, paying, new, churned, mrr, conversion = expected["paid"]
    p = report.paid
    assert (p.paying_start, p.paying, p.new, p.churned) == (paying_start, paying, new, churned)
    assert p.mrr.keys() == mrr.keys() and all(close(p.mrr[c], mrr[c]) for c in mrr)
    assert close(p.conversion_30d, conversion)
    f = report.funnel
    assert (f.joined, f.onboarded, f.active, f.paid) == expected["funnel"]
    q = report.qa
    asked, answered, median, solved = expected["qa"]
    assert q.asked == asked
    assert close(q.answered_pct, answered) and close(q.solved_pct, solved)
    assert close(q.median_first_answer_minutes, median)


async def write_rows(db: Database, guild_id: int, batch: list[tuple[Any, ...]]) -> None:
    community = Community(guild_id=guild_id)
    for user, kind, when, ref, meta in batch:
        community.log(user, kind, when, ref=ref, meta=meta)
    await community.write(db)


@settings(
    max_examples=int(os.environ.get("STATS_EXAMPLES", "30")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
)
@given(
    data=st.lists(rows(), max_size=45),
    split=st.integers(0, 45),
    timezone=st.sampled_from(TIMEZONES),
    week=st.sampled_from([44, 45, 46]),
    onboarded=st.dictionaries(st.integers(1, 6), moments, max_size=3),
    asked=st.lists(questions(), max_size=4),
    bulk=st.booleans(),
)
async def test_report_matches_the_reference_even_with_late_rows(
    db: Database,
    data: list[tuple[Any, ...]],
    split: int,
    timezone: str,
    week: int,
    onboarded: dict[int, datetime],
    asked: list[tuple[Any, ...]],
    bulk: bool,
) -> None:
    limits = (refresher.EXACT_DAYS_LIMIT, refresher.SPAN_SLICE)
    if bulk:  # the import path: day ranges, spans rebuilt in (tiny) slices
        refresher.EXACT_DAYS_LIMIT, refresher.SPAN_SLICE = 0, 2
    try:
        await check_report(db, data, split, timezone, week, onboarded, asked)
    finally:
        refresher.EXACT_DAYS_LIMIT, refresher.SPAN_SLICE = limits


async def check_report(
    db: Database,
    data: list[tuple[Any, ...]],
    split: int,
    timezone: str,
    week: int,
    onboarded: dict[int, datetime],
    asked: list[tuple[Any, ...]],
) -> None:
    """Write the rows in two parts (refreshing between) and compare with the reference."""
    guild_id = next(_guilds)
    service = StatsService(
        db, FakeClock(NOW), Settings(guilds=(GuildConfig(id=guild_id, timezone=timezone),))
    )
    extras = Community(guild_id=guild_id)
    for user, when in onboarded.items():
        extras.member(user, BASE, onboarded=when)
    for created, answered, answerer, solved, accepted in asked:
        extras.question(
            1, created, answered=answered, answerer=answerer, solved=solved, accepted=accepted
        )
    await extras.write(db)
    iso_week = IsoWeek(2026, week)

    await write_rows(db, guild_id, data[:split])
    await service.weekly_report(guild_id, iso_week)  # rollups built from the first part
    await write_rows(db, guild_id, data[split:])  # the rest arrives late, in any order
    report = await service.weekly_report(guild_id, iso_week)

    reference = Reference(
        [Row(i, u, k, at, ref, meta) for i, (u, k, at, ref, meta) in enumerate(data)],
        timezone,
        onboarded,
        asked,
    )
    assert_matches(report, reference.report(iso_week.monday))
