"""The onboarding funnel's steps and the per-source numbers, on hand-computed fixtures."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import insert

from bot.services.stats.text import text_report
from storage.activity.models import Member
from storage.database import Database
from storage.onboarding.models import OnboardingInvite, OnboardingMember
from tests.services.stats.community import GUILD, Community, at, stats_service

WEEK = "2026-W45"
LATER = at(3)
MIN = timedelta(minutes=1)


async def roster(
    db: Database,
    rows: list[tuple[int, datetime, datetime | None, str | None]],
    *,
    interests: dict[int, datetime] | None = None,
    campaigns: dict[str, str] | None = None,
) -> None:
    """Member rows (user, joined, onboarded, source), interest picks and named invites."""
    async with db.transaction() as session:
        connection = await session.connection()
        await connection.execute(
            insert(Member),
            [
                {
                    "guild_id": GUILD,
                    "user_id": user,
                    "first_joined_at": joined,
                    "joined_at": joined,
                    "onboarded_at": onboarded,
                    "source": source,
                }
                for user, joined, onboarded, source in rows
            ],
        )
        if interests:
            await connection.execute(
                insert(OnboardingMember),
                [
                    {"guild_id": GUILD, "user_id": user, "first_seen_at": when,
                     "interests": ["python"], "interests_at": when}
                    for user, when in interests.items()
                ],
            )  # fmt: skip
        if campaigns:
            await connection.execute(
                insert(OnboardingInvite),
                [
                    {"guild_id": GUILD, "code": code, "campaign": name, "named_by": 1,
                     "named_at": at(-20)}
                    for code, name in campaigns.items()
                ],
            )  # fmt: skip


async def funnel_fixture(db: Database) -> None:
    joined = at(0, 1)
    community = Community()
    for user in (1, 2, 3, 4):
        community.join(user, joined)
    community.message(1, joined + 120 * MIN).message(3, joined + 240 * MIN)
    community.message(4, joined + 60 * MIN)  # talks without agreeing: still counted
    community.message(1, joined + 300 * MIN)  # not the first
    community.log(1, "drop_open", joined + 1440 * MIN, ref="7")
    community.join(5, at(-1)).message(5, at(0, 2))  # joined the week before
    await community.write(db)
    await roster(
        db,
        [
            (1, joined, joined + 10 * MIN, None),
            (2, joined, joined + 20 * MIN, None),
            (3, joined, joined + 30 * MIN, None),
            (4, joined, None, None),
            (5, at(-1), at(-1), None),
        ],
        interests={1: joined + 15 * MIN, 2: joined + 60 * MIN, 5: at(0, 2)},
    )


async def test_each_step_counts_the_weeks_joiners_who_reached_it(db: Database) -> None:
    await funnel_fixture(db)

    funnel = (await stats_service(db, LATER).weekly_report(GUILD, WEEK)).funnel

    assert [(s.step, s.count) for s in funnel.steps] == [
        ("joined", 4),
        ("agreed", 3),
        ("interests", 2),
        ("first_message", 3),
        ("first_question_or_drop", 1),
    ]


async def test_each_step_has_the_median_minutes_from_joining(db: Database) -> None:
    await funnel_fixture(db)

    funnel = (await stats_service(db, LATER).weekly_report(GUILD, WEEK)).funnel

    assert [s.median_minutes for s in funnel.steps] == [0.0, 20.0, 37.5, 120.0, 1440.0]


async def test_the_steps_are_in_the_json(db: Database) -> None:
    await funnel_fixture(db)

    report = await stats_service(db, LATER).weekly_report(GUILD, WEEK)

    steps = report.to_json()["funnel"]["steps"]
    assert steps[2] == {"step": "interests", "count": 2, "median_minutes": 37.5}


async def sources_fixture(db: Database) -> None:
    community = Community()
    community.join(11, at(-5)).join(12, at(-5))  # W40, through "spring"
    community.message(11, at(-1, 2))  # active in W44, their week 4
    community.message(12, at(-2, 2))  # active in W43 only
    community.paid_start(11, at(-5) + timedelta(days=10))  # within 30 days
    community.paid_start(12, at(-5) + timedelta(days=40))  # too late
    community.join(13, at(0, 1))  # W45, through "abc" (unnamed)
    community.join(14, at(-2)).join(15, at(-3))  # unknown, and never attributed
    community.join(16, at(-13))  # before the 12 weeks
    await community.write(db)
    await roster(
        db,
        [
            (11, at(-5), at(-5) + MIN, "spring"),
            (12, at(-5), None, "spring"),
            (13, at(0, 1), at(0, 1) + MIN, "abc"),
            (14, at(-2), None, "unknown"),
            (15, at(-3), None, None),
            (16, at(-13), None, "spring"),
        ],
        campaigns={"spring": "Spring sale"},
    )


async def test_sources_group_joins_by_campaign_then_code_unknown_last(db: Database) -> None:
    await sources_fixture(db)

    funnel = (await stats_service(db, LATER).weekly_report(GUILD, WEEK)).funnel

    assert [(s.source, s.codes, s.joins) for s in funnel.sources] == [
        ("Spring sale", ("spring",), 2),
        ("abc", ("abc",), 1),
        ("unknown", (), 2),
    ]


async def test_sources_have_onboarded_share_week4_retention_and_paid_in_30_days(
    db: Database,
) -> None:
    await sources_fixture(db)

    spring, abc, unknown = (
        await stats_service(db, LATER).weekly_report(GUILD, WEEK)
    ).funnel.sources

    assert (spring.onboarded_pct, spring.week4_retention, spring.week4_cohort) == (0.5, 0.5, 2)
    assert (spring.paid_30d, spring.paid_cohort) == (0.5, 2)
    assert (abc.onboarded_pct, abc.week4_retention, abc.paid_30d) == (1.0, None, None)
    assert (unknown.onboarded_pct, unknown.week4_cohort, unknown.paid_cohort) == (0.0, 0, 0)


async def test_sources_are_in_the_json_and_the_text_report(db: Database) -> None:
    await sources_fixture(db)
    service = stats_service(db, LATER)

    report = await service.weekly_report(GUILD, WEEK)

    first = report.to_json()["funnel"]["sources"][0]
    assert first["source"] == "Spring sale" and first["week4_retention"] == 0.5
    assert "Spring sale: 2 joined" in text_report(report)


async def test_the_weekly_post_shows_the_steps_and_where_members_come_from(
    db: Database,
) -> None:
    await sources_fixture(db)

    message = await stats_service(db, LATER).week_message(GUILD, WEEK)

    fields = {field.name: field.value for field in message.cards[0].fields}
    assert "picked interests" in fields["🚪 New-member funnel"]
    assert fields["🔗 Where members come from"].splitlines()[0].startswith("Spring sale: 2 joined")
