"""Members, growth, retention and churn on hand-computed communities."""

from __future__ import annotations

from storage.database import Database
from tests.services.stats.community import Community, at, stats_service

WEEK = "2026-W45"
LATER = at(3)


async def test_article_example_100_to_80_members(db: Database) -> None:
    community = Community()
    for user in range(1, 101):
        community.join(user, at(-2))
    for user in range(1, 21):
        community.leave(user, at(0, day=3))
    await community.write(db)

    report = await stats_service(db, LATER).weekly_report(1, WEEK)

    assert (report.members.start, report.members.end) == (100, 80)
    assert report.member_retention == 0.8
    assert report.churn is not None and abs(report.churn - 0.2) < 1e-9
    assert report.net_growth == -0.2


async def test_joins_during_the_week_grow_members_but_not_retention(db: Database) -> None:
    community = Community()
    for user in range(1, 11):
        community.join(user, at(-1))
    community.leave(1, at(0, day=1))
    for user in range(11, 16):
        community.join(user, at(0, day=2))
    await community.write(db)

    report = await stats_service(db, LATER).weekly_report(1, WEEK)

    assert report.members.__dict__ == {"start": 10, "end": 14, "joined": 5, "left": 1}
    assert report.net_growth == 0.4
    assert report.member_retention == 0.9


async def test_member_who_leaves_and_comes_back_is_retained(db: Database) -> None:
    community = Community().join(1, at(-1)).join(2, at(-1))
    community.leave(1, at(0, day=1)).join(1, at(0, day=4))
    await community.write(db)

    report = await stats_service(db, LATER).weekly_report(1, WEEK)

    assert report.members.__dict__ == {"start": 2, "end": 2, "joined": 1, "left": 1}
    assert report.member_retention == 1.0


async def test_first_interaction_counts_as_a_join_when_none_was_recorded(db: Database) -> None:
    await Community().message(7, at(-1)).message(8, at(0, day=2)).write(db)

    report = await stats_service(db, LATER).weekly_report(1, WEEK)

    assert report.members.__dict__ == {"start": 1, "end": 2, "joined": 1, "left": 0}


async def test_event_at_the_week_boundary_belongs_to_the_next_week(db: Database) -> None:
    await Community().join(1, at(-1)).join(2, at(1, hour=0)).write(db)

    report = await stats_service(db, LATER).weekly_report(1, WEEK)

    assert (report.members.end, report.members.joined) == (1, 0)


async def test_empty_guild_gives_null_fractions_not_errors(db: Database) -> None:
    report = await stats_service(db, LATER).weekly_report(1, WEEK)

    data = report.to_json()
    assert data["members"] == {"start": 0, "end": 0, "joined": 0, "left": 0}
    assert data["net_growth"] is None
    assert data["member_retention"] is None and data["churn"] is None
    assert data["stickiness"] is None
    assert data["activity"] == {"interactions": 0, "per_member": None, "per_active_member": None}
    assert data["paid"]["conversion_30d"] is None
    assert data["qa"]["answered_pct"] is None
