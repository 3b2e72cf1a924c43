"""The drops block: per item, opens, reach, comments, likes, attendance, upsell conversion."""

from __future__ import annotations

from storage.database import Database
from tests.services.stats.community import Community, at, stats_service

WEEK = "2026-W45"
LATER = at(3)


async def test_opening_twice_counts_two_opens_and_one_reach(db: Database) -> None:
    community = Community().item(3, "Rust")
    for user in range(1, 5):
        community.join(user, at(-1))
    community.log(1, "drop_open", at(0, 1), ref="3").log(1, "drop_open", at(0, 2), ref="3")
    await community.write(db)

    (item,) = (await stats_service(db, LATER).weekly_report(1, WEEK)).drops

    assert (item.content_id, item.opens, item.reach) == ("3", 2, 0.25)


async def test_comments_likes_and_attendance_are_counted_per_item(db: Database) -> None:
    community = Community().item(3, "Rust")
    community.log(1, "drop_comment", at(0, 1), ref="3").log(2, "drop_comment", at(0, 1), ref="3")
    community.log(1, "drop_like", at(0, 1), ref="3")
    community.log(1, "event_attend", at(0, 2), ref="3").log(1, "event_attend", at(0, 3), ref="3")
    await community.write(db)

    (item,) = (await stats_service(db, LATER).weekly_report(1, WEEK)).drops

    assert (item.comments, item.likes, item.attendance) == (2, 1, 1)


async def test_an_upsell_converts_when_the_member_pays_within_30_days(db: Database) -> None:
    community = Community().item(3, "Paid lesson")
    community.log(1, "drop_upsell", at(0, 1), ref="3").log(2, "drop_upsell", at(0, 1), ref="3")
    community.log(1, "paid_start", at(0, 2), ref="pro")
    await community.write(db)

    report = await stats_service(db, LATER).weekly_report(1, WEEK)

    (item,) = report.drops
    assert (item.upsold, item.converted) == (2, 1)
    assert report.to_json()["drops"][0]["conversion"] == 0.5
