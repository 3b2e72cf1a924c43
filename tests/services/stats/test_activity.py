"""Activity, DAU/WAU/MAU, stickiness and communicators on hand-computed communities."""

from __future__ import annotations

from storage.database import Database
from tests.services.stats.community import Community, at, stats_service

WEEK = "2026-W45"
LATER = at(3)


async def test_activity_counts_active_kinds_per_member_and_per_active_member(
    db: Database,
) -> None:
    community = Community()
    for user in range(1, 5):
        community.join(user, at(-1))
    community.message(1, at(0, 0)).message(1, at(0, 1)).log(2, "reaction", at(0, 2))
    community.log(2, "command", at(0, 3)).log(3, "onboarded", at(0, 3))
    await community.write(db)

    report = await stats_service(db, LATER).weekly_report(1, WEEK)

    assert report.activity.interactions == 4
    assert report.activity.per_member == 1.0  # 4 interactions / 4 members
    assert report.activity.per_active_member == 2.0  # 4 / 2 active members
    assert report.wau == 2


async def test_dau_is_per_local_day_and_its_mean_divides_by_seven(db: Database) -> None:
    community = Community().message(1, at(0, 0)).message(2, at(0, 0)).message(1, at(0, 6))
    await community.write(db)

    report = await stats_service(db, LATER).weekly_report(1, WEEK)

    assert [count for _, count in report.daily_active] == [2, 0, 0, 0, 0, 0, 1]
    assert report.dau_mean == 3 / 7


async def test_mau_counts_30_days_ending_at_the_week_end(db: Database) -> None:
    # The 30 days end Monday 2026-11-09: they start Saturday 2026-10-10.
    community = Community()
    community.message(1, at(0, day=-24, hour=23))  # Friday 2026-10-09: outside
    community.message(2, at(0, day=-23, hour=0))  # Saturday 2026-10-10: inside
    community.message(3, at(0, day=6))
    await community.write(db)

    report = await stats_service(db, LATER).weekly_report(1, WEEK)

    assert report.mau == 2
    assert report.wau == 1


async def test_stickiness_is_mean_dau_over_mau(db: Database) -> None:
    community = Community()
    for day in range(7):
        community.message(1, at(0, day))
    community.message(2, at(-2))
    await community.write(db)

    report = await stats_service(db, LATER).weekly_report(1, WEEK)

    assert report.dau_mean == 1.0
    assert report.mau == 2
    assert report.stickiness == 0.5


async def test_communicators_are_members_who_message_reply_or_answer(db: Database) -> None:
    community = Community().message(1, at()).log(2, "reply", at()).log(3, "answer", at())
    community.log(4, "reaction", at()).log(5, "voice_join", at())
    await community.write(db)

    report = await stats_service(db, LATER).weekly_report(1, WEEK)

    assert report.communicators == 3
    assert report.wau == 5


async def test_week_follows_the_guild_time_zone(db: Database) -> None:
    # Sunday 23:30 UTC is already Monday 00:30 in Berlin: the next week there.
    await Community().message(1, at(0, day=6, hour=23, minute=30)).write(db)

    utc = await stats_service(db, LATER).weekly_report(1, WEEK)
    berlin = await stats_service(db, LATER, "Europe/Berlin").weekly_report(1, WEEK)

    assert utc.wau == 1
    assert berlin.wau == 0
