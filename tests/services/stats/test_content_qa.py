"""Content consumption and Q&A numbers."""

from __future__ import annotations

from storage.database import Database
from tests.services.stats.community import Community, at, stats_service

WEEK = "2026-W45"
LATER = at(3)


async def test_article_example_500_of_1000_opens_is_half_the_share(db: Database) -> None:
    community = Community().item(1, "Async Python").item(2, "SQL tuning")
    for i in range(500):
        community.log(1 + i % 50, "drop_open", at(0, day=i % 7), ref="1")
        community.log(1 + i % 50, "drop_open", at(0, day=i % 7), ref="2")
    await community.write(db)

    report = await stats_service(db, LATER).weekly_report(1, WEEK)

    assert [(c.content_id, c.title, c.opens, c.share) for c in report.content] == [
        ("1", "Async Python", 500, 0.5),
        ("2", "SQL tuning", 500, 0.5),
    ]


async def test_reach_is_distinct_openers_over_members_at_week_end(db: Database) -> None:
    community = Community().item(3, "Rust for Pythonistas")
    for user in range(1, 11):
        community.join(user, at(-1))
    community.log(1, "drop_open", at(0, 1), ref="3").log(1, "drop_open", at(0, 2), ref="3")
    community.log(2, "drop_open", at(0, 2), ref="3")
    await community.write(db)

    report = await stats_service(db, LATER).weekly_report(1, WEEK)

    (item,) = report.content
    assert (item.opens, item.share, item.reach) == (3, 1.0, 0.2)


async def test_opens_outside_the_week_do_not_count(db: Database) -> None:
    community = Community().item(1, "Old")
    community.log(1, "drop_open", at(-1, 6), ref="1").log(1, "drop_open", at(1, 0), ref="1")
    await community.write(db)

    report = await stats_service(db, LATER).weekly_report(1, WEEK)

    assert report.content == ()


async def test_qa_shares_median_and_top_answerers(db: Database) -> None:
    community = Community()
    community.question(1, at(0, 0), answered=at(0, 0, minute=10), answerer=5)
    community.question(
        2, at(0, 1), answered=at(0, 1, minute=30), answerer=6, solved=at(0, 2), accepted=6
    )
    community.question(3, at(0, 2), answered=at(0, 2, minute=50), answerer=6)
    community.question(4, at(0, 6, hour=23), answered=at(1, 0, hour=1), answerer=5)  # too late
    await community.write(db)

    qa = (await stats_service(db, LATER).weekly_report(1, WEEK)).qa

    assert qa.asked == 4
    assert qa.answered_pct == 0.75
    assert qa.median_first_answer_minutes == 30.0
    assert qa.solved_pct == 0.25
    assert [(a.user_id, a.first_answers, a.accepted) for a in qa.top_answerers] == [
        (6, 2, 1),
        (5, 1, 0),
    ]


async def test_no_questions_give_null_shares(db: Database) -> None:
    qa = (await stats_service(db, LATER).weekly_report(1, WEEK)).qa

    assert (qa.asked, qa.answered_pct, qa.median_first_answer_minutes, qa.solved_pct) == (
        0,
        None,
        None,
        None,
    )
