"""Cohort retention and new-member retention."""

from __future__ import annotations

from storage.database import Database
from tests.services.stats.community import Community, at, stats_service

LATER = at(5)


async def test_cohort_table_has_the_last_8_join_weeks_and_the_weeks_seen_so_far(
    db: Database,
) -> None:
    report = await stats_service(db, LATER).weekly_report(1, "2026-W45")

    assert [str(c.week) for c in report.cohorts] == [
        "2026-W38", "2026-W39", "2026-W40", "2026-W41",
        "2026-W42", "2026-W43", "2026-W44", "2026-W45",
    ]  # fmt: skip
    assert [len(c.retention) for c in report.cohorts] == [8, 7, 6, 5, 4, 3, 2, 1]


async def test_cohort_retention_is_share_of_joiners_active_k_weeks_later(db: Database) -> None:
    community = Community()
    for user in (1, 2, 3, 4):
        community.join(user, at(-2, day=1))
    community.message(1, at(-2, day=2)).message(2, at(-2, day=3))  # week 0: 2 of 4
    community.message(1, at(-1, day=0))  # week 1: 1 of 4
    community.message(1, at(0, day=0)).log(3, "reaction", at(0, day=5))  # week 2: 2 of 4
    await community.write(db)

    report = await stats_service(db, LATER).weekly_report(1, "2026-W45")

    cohort = next(c for c in report.cohorts if str(c.week) == "2026-W43")
    assert cohort.size == 4
    assert cohort.retention == (0.5, 0.25, 0.5)


async def test_cohort_uses_the_first_join_not_a_rejoin(db: Database) -> None:
    community = Community().join(1, at(-3)).leave(1, at(-3, day=2)).join(1, at(-1))
    await community.write(db)

    report = await stats_service(db, LATER).weekly_report(1, "2026-W45")

    sizes = {str(c.week): c.size for c in report.cohorts}
    assert sizes["2026-W42"] == 1 and sizes["2026-W44"] == 0


async def test_empty_cohort_has_null_retention(db: Database) -> None:
    report = await stats_service(db, LATER).weekly_report(1, "2026-W45")

    assert report.cohorts[0].retention == (None,) * 8


async def test_new_member_retention_is_last_weeks_joiners_active_this_week(
    db: Database,
) -> None:
    community = Community()
    for user in (1, 2, 3):
        community.join(user, at(-1, day=2))
    community.join(4, at(-3))  # an older member: not new
    community.message(1, at(0, day=1)).message(4, at(0, day=1))
    await community.write(db)

    report = await stats_service(db, LATER).weekly_report(1, "2026-W45")

    assert report.new_member_retention == 1 / 3
