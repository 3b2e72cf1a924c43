"""Property: whatever happens, every stored balance equals the sum of the ledger's entries
for its member and period (on SQLite, and on PostgreSQL in CI)."""

from __future__ import annotations

import contextlib
import itertools
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.clock import FakeClock
from bot.core.errors import InvalidInput
from bot.core.events import (
    AnswerAccepted,
    AnswerDeleted,
    AnswerPosted,
    AnswerUnaccepted,
    ContentOpened,
    DomainEvent,
    MemberOnboarded,
    QuestionAsked,
    QuestionClosed,
)
from bot.services.points import PointsConfig, Rules
from storage.database import Database
from storage.points import balances
from tests.services.points.support import GUILD, LADDER, MOD, Points

USERS = st.integers(1, 3)
QUESTIONS = st.integers(1, 3)
STEP = st.one_of(
    st.tuples(st.just("ask"), QUESTIONS, USERS),
    st.tuples(st.just("answer"), QUESTIONS, USERS),
    st.tuples(st.just("accept"), QUESTIONS, USERS),
    st.tuples(st.just("unaccept"), QUESTIONS, USERS),
    st.tuples(st.just("delete"), QUESTIONS, USERS),
    st.tuples(st.just("solved"), QUESTIONS, USERS),
    st.tuples(st.just("onboard"), USERS, USERS),
    st.tuples(st.just("open"), USERS, USERS),
    st.tuples(st.just("adjust"), st.integers(-20, 20).filter(bool), USERS),
    st.tuples(st.just("rescore"), st.integers(0, 30), st.integers(0, 1)),
    st.tuples(st.just("preview"), st.integers(0, 30), st.integers(0, 1)),
    st.tuples(st.just("apply"), st.just(0), st.just(0)),
    st.tuples(st.just("later"), st.integers(1, 40), USERS),
)
SMALL_CAPS = PointsConfig(Rules(answer_daily_max=2, daily_cap=6, streak_days=2), LADDER)
_guilds = itertools.count(GUILD)


def event_of(step: tuple[str, int, int], guild: int, clock: FakeClock) -> DomainEvent | None:
    kind, a, user = step
    now, message = clock.now(), a * 100 + user
    asker = 10 + a  # each question has its own asker, never among USERS
    return {
        "ask": lambda: QuestionAsked(guild, now, a, asker),
        "answer": lambda: AnswerPosted(guild, now, a, user, message),
        "accept": lambda: AnswerAccepted(guild, now, a, asker, user, message),
        "unaccept": lambda: AnswerUnaccepted(guild, now, a, user, message),
        "delete": lambda: AnswerDeleted(guild, now, a, user, message),
        "solved": lambda: QuestionClosed(guild, now, a, asker, "solved"),
        "onboard": lambda: MemberOnboarded(guild, now, user_id=a),
        "open": lambda: ContentOpened(guild, now, user_id=a, drop_id=1),
    }.get(kind, lambda: None)()


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(STEP, max_size=25))
async def test_balances_always_equal_the_ledgers_sums(
    db: Database, clock: FakeClock, steps: list[tuple[str, int, int]]
) -> None:
    guild = next(_guilds)
    points = Points(db, clock, SMALL_CAPS, guild=guild)
    pending: list[int] = []  # previews to apply later: events may come in between
    for step in steps:
        kind, a, b = step
        event = event_of(step, guild, clock)
        if event is not None:
            await points.publish(event)
        elif kind == "adjust":
            await points.service.adjust(guild, MOD, b, a, "test", points.next_id())
        elif kind == "later":
            clock.advance(timedelta(hours=a))
        elif kind == "apply":
            if pending:
                with contextlib.suppress(InvalidInput):  # replaced by a newer preview
                    await points.rescorer.apply(guild, MOD, pending.pop())
        else:
            change = {"answer_accepted": a} if b else {"daily_cap": a}
            try:
                preview = await points.rescorer.preview(guild, MOD, change)
            except InvalidInput:  # the same rules again: nothing to re-score
                continue
            if kind == "preview":
                pending.append(preview.rescore_id)
            else:
                await points.rescorer.apply(guild, MOD, preview.rescore_id)

    async with db.read() as session:
        stored = await balances.stored_balances(session, guild)
        summed = await balances.sums_from_ledger(session, guild)
    assert stored == {key: n for key, n in summed.items() if n}
