"""Rules on the real ledger: what each event earns, self-answers, reversals, streaks, caps."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.core.clock import FakeClock
from bot.core.events import (
    AnswerDeleted,
    AnswerUnaccepted,
    ContentOpened,
    MemberOnboarded,
    QuestionClosed,
)
from bot.services.points import PointsConfig, Rules
from storage.database import Database
from tests.services.points.support import ALICE, ASKER, BOB, GUILD, LADDER, Points


async def test_an_accepted_answer_pays_the_answerer_fifteen_plus_two_for_answering(
    db: Database, clock: FakeClock
) -> None:
    points = Points(db, clock)
    question = await points.ask()

    await points.accept(question, ALICE)

    assert await points.total(ALICE) == 17
    assert await points.total(ASKER) == 0


async def test_answering_your_own_question_earns_nothing(db: Database, clock: FakeClock) -> None:
    points = Points(db, clock)
    question = await points.ask(ALICE)

    await points.accept(question, ALICE, asker=ALICE)

    assert await points.total(ALICE) == 0


async def test_one_question_pays_for_answering_once(db: Database, clock: FakeClock) -> None:
    points = Points(db, clock)
    question = await points.ask()

    await points.answer(question, ALICE)
    await points.answer(question, ALICE)

    assert await points.total(ALICE) == 2


async def test_an_unaccepted_answer_is_reversed_by_a_new_entry(
    db: Database, clock: FakeClock
) -> None:
    points = Points(db, clock)
    question = await points.ask()
    message = await points.accept(question, ALICE)

    await points.publish(AnswerUnaccepted(GUILD, clock.now(), question, ALICE, message))

    view = await points.service.points(GUILD, ALICE)
    assert view.all_time == 2
    assert [(line.rule, line.kind, line.delta) for line in view.lines] == [
        ("answer_accepted", "reverse", -15),
        ("answer_accepted", "award", 15),
        ("answer_posted", "award", 2),
    ]


async def test_a_deleted_answer_takes_back_its_answer_and_acceptance_points(
    db: Database, clock: FakeClock
) -> None:
    points = Points(db, clock)
    question = await points.ask()
    message = await points.accept(question, ALICE)

    await points.publish(AnswerDeleted(GUILD, clock.now(), question, ALICE, message))

    assert await points.total(ALICE) == 0
    assert len((await points.service.points(GUILD, ALICE)).lines) == 4


async def test_a_solved_question_gives_its_asker_one_point(db: Database, clock: FakeClock) -> None:
    points = Points(db, clock)
    solved, dropped = await points.ask(), await points.ask()

    await points.publish(
        QuestionClosed(GUILD, clock.now(), solved, ASKER, "solved"),
        QuestionClosed(GUILD, clock.now(), dropped, ASKER, "inactive"),
    )

    assert await points.total(ASKER) == 1


async def test_onboarding_pays_five_once_even_when_replayed(db: Database, clock: FakeClock) -> None:
    points = Points(db, clock)

    for _ in range(3):
        await points.publish(MemberOnboarded(GUILD, clock.now(), user_id=ALICE))

    assert await points.total(ALICE) == 5


async def test_opening_drops_on_five_days_of_a_week_pays_three_once(
    db: Database, clock: FakeClock
) -> None:
    points = Points(db, clock)  # the clock starts on a Monday
    for day in range(7):
        for _ in range(2):  # two opens a day count as one day
            await points.publish(ContentOpened(GUILD, clock.now(), user_id=ALICE, drop_id=day))
        clock.advance(timedelta(days=1))

    assert await points.total(ALICE) == 3


async def test_four_days_of_opens_are_no_streak(db: Database, clock: FakeClock) -> None:
    points = Points(db, clock)
    for day in range(4):
        await points.publish(ContentOpened(GUILD, clock.now(), user_id=ALICE, drop_id=day))
        clock.advance(timedelta(days=1))

    assert await points.total(ALICE) == 0


async def test_the_daily_cap_holds_across_events(db: Database, clock: FakeClock) -> None:
    points = Points(db, clock, PointsConfig(Rules(daily_cap=5), LADDER))
    questions = [await points.ask() for _ in range(4)]

    for question in questions[:3]:
        await points.answer(question, ALICE)
    await points.accept(questions[3], ALICE)

    assert await points.total(ALICE) == 5 + 15


async def test_a_burst_of_concurrent_events_is_scored_exactly(
    db: Database, clock: FakeClock
) -> None:
    points = Points(db, clock, PointsConfig(Rules(answer_daily_max=1000, daily_cap=100_000)))
    questions = [await points.ask() for _ in range(60)]

    await asyncio.gather(*(points.answer(q, user) for q in questions for user in (ALICE, BOB)))

    assert (await points.total(ALICE), await points.total(BOB)) == (120, 120)


async def test_each_history_line_names_its_rule_and_cause(db: Database, clock: FakeClock) -> None:
    points = Points(db, clock)
    question = await points.ask()
    message = await points.accept(question, ALICE)

    lines = (await points.service.points(GUILD, ALICE)).lines

    assert [(line.rule, line.cause) for line in lines] == [
        ("answer_accepted", f"answer:{message}"),
        ("answer_posted", f"question:{question}"),
    ]
