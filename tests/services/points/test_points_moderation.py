"""Boards, anonymity, levels and their roles, adjustments and re-scores."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.core.clock import FakeClock
from bot.core.errors import InvalidInput, NotAllowed
from bot.core.events import AnswerUnaccepted, MemberOnboarded
from bot.core.ports import Levels
from storage.audit.models import AuditEntry
from storage.database import Database
from storage.points import balances
from tests.services.points.support import (
    ALICE,
    ASKER,
    BOB,
    GUILD,
    HELPER_ROLE,
    MENTOR_ROLE,
    MOD,
    STRANGER,
    Points,
)


async def onboard(points: Points, *users: int) -> None:
    for user in users:
        await points.publish(MemberOnboarded(GUILD, points.clock.now(), user_id=user))


async def audit(db: Database) -> list[AuditEntry]:
    async with db.read() as session:
        return list((await session.exec(select(AuditEntry))).all())


async def test_the_board_ranks_densely_and_shows_the_callers_place_outside_the_top(
    db: Database, clock: FakeClock
) -> None:
    points = Points(db, clock)
    for user, delta in [(31, 50), (32, 50), (33, 40)] + [(40 + i, 30) for i in range(9)]:
        await points.service.adjust(GUILD, MOD, user, delta, "seed", points.next_id())
    await points.service.adjust(GUILD, MOD, ALICE, 7, "seed", points.next_id())

    board = await points.service.leaderboard(GUILD, ALICE, "week")

    assert [(row.rank, row.points) for row in board.rows[:4]] == [
        (1, 50),
        (1, 50),
        (2, 40),
        (3, 30),
    ]
    assert len(board.rows) == 10
    assert board.own is not None and (board.own.rank, board.own.points) == (4, 7)


async def test_a_hidden_member_is_anonymous_on_the_board_and_still_counts(
    db: Database, clock: FakeClock
) -> None:
    points = Points(db, clock)
    await onboard(points, ALICE, BOB)
    await points.service.adjust(GUILD, MOD, ALICE, 10, "seed", points.next_id())

    await points.service.set_hidden(GUILD, ALICE, True)
    board = await points.service.leaderboard(GUILD, BOB, "all")

    assert [(row.user_id, row.points, row.hidden) for row in board.rows] == [
        (ALICE, 15, True),
        (BOB, 5, False),
    ]


async def test_reaching_a_level_queues_its_role_and_falling_back_takes_it_away(
    db: Database, clock: FakeClock
) -> None:
    points = Points(db, clock)
    question = await points.ask()
    message = await points.accept(question, ALICE)  # 17: Helper (10)
    assert await points.service.level_of(GUILD, ALICE) == 1

    await points.publish(AnswerUnaccepted(GUILD, clock.now(), question, ALICE, message))

    assert await points.service.level_of(GUILD, ALICE) == 0
    assert await points.role_changes(ALICE) == [(HELPER_ROLE, "add"), (HELPER_ROLE, "remove")]


async def test_climbing_two_levels_swaps_one_level_role_for_the_next(
    db: Database, clock: FakeClock
) -> None:
    points = Points(db, clock)
    await points.service.adjust(GUILD, MOD, ALICE, 12, "seed", points.next_id())

    await points.service.adjust(GUILD, MOD, ALICE, 20, "seed", points.next_id())

    assert await points.role_changes(ALICE) == [
        (HELPER_ROLE, "add"),
        (HELPER_ROLE, "remove"),
        (MENTOR_ROLE, "add"),
    ]


async def test_an_adjustment_is_audited_and_explained_in_the_history(
    db: Database, clock: FakeClock
) -> None:
    points = Points(db, clock)

    total = await points.service.adjust(GUILD, MOD, ALICE, -3, "spam  in #help", 777)

    line = (await points.service.points(GUILD, ALICE)).lines[0]
    assert total == -3
    assert (line.rule, line.cause, line.actor_id, line.note) == (
        "adjust", "interaction:777", MOD.user_id, "spam in #help",
    )  # fmt: skip
    [entry] = await audit(db)
    assert (entry.action, entry.target_user_id, entry.details) == (
        "points.adjust", ALICE, {"delta": -3, "reason": "spam in #help"},
    )  # fmt: skip


async def test_a_replayed_adjustment_changes_nothing(db: Database, clock: FakeClock) -> None:
    points = Points(db, clock)

    await points.service.adjust(GUILD, MOD, ALICE, 4, "help", 777)
    await points.service.adjust(GUILD, MOD, ALICE, 4, "help", 777)

    assert await points.total(ALICE) == 4


async def test_a_non_moderator_cannot_adjust_or_rescore(db: Database, clock: FakeClock) -> None:
    points = Points(db, clock)

    with pytest.raises(NotAllowed):
        await points.service.adjust(GUILD, STRANGER, ALICE, 4, "help", 777)
    with pytest.raises(NotAllowed):
        await points.rescorer.preview(GUILD, STRANGER, {"answer_accepted": 20})
    assert await points.total(ALICE) == 0


async def test_a_rescore_preview_shows_the_movers_and_changes_nothing(
    db: Database, clock: FakeClock
) -> None:
    points = Points(db, clock)
    await points.accept(await points.ask(), ALICE)
    await points.accept(await points.ask(), ALICE)
    await points.accept(await points.ask(), BOB)

    preview = await points.rescorer.preview(GUILD, MOD, {"answer_accepted": 10})

    assert preview.changes == {"answer_accepted": (15, 10)}
    assert (preview.members, preview.gained, preview.lost) == (2, 0, 15)
    assert [(m.user_id, m.before, m.after) for m in preview.top] == [(ALICE, 34, 24), (BOB, 17, 12)]
    assert await points.total(ALICE) == 34


async def test_applying_a_rescore_appends_corrections_and_keeps_the_history(
    db: Database, clock: FakeClock
) -> None:
    points = Points(db, clock)
    await points.accept(await points.ask(), ALICE)
    preview = await points.rescorer.preview(GUILD, MOD, {"answer_accepted": 25})

    applied = await points.rescorer.apply(GUILD, MOD, preview.rescore_id)

    view = await points.service.points(GUILD, ALICE)
    assert applied.applied and view.all_time == 27
    assert [(line.kind, line.delta) for line in view.lines] == [
        ("rescore", 10), ("award", 15), ("award", 2),
    ]  # fmt: skip
    assert [entry.action for entry in await audit(db)] == ["points.rescore"]


async def test_after_a_rescore_new_awards_use_the_new_weights(
    db: Database, clock: FakeClock
) -> None:
    points = Points(db, clock)
    await points.accept(await points.ask(), ALICE)
    preview = await points.rescorer.preview(GUILD, MOD, {"answer_accepted": 25})
    await points.rescorer.apply(GUILD, MOD, preview.rescore_id)

    await points.accept(await points.ask(), BOB)

    assert await points.total(BOB) == 27


async def test_a_reversal_after_a_rescore_takes_back_the_rescored_worth(
    db: Database, clock: FakeClock
) -> None:
    points = Points(db, clock)
    question = await points.ask()
    message = await points.accept(question, ALICE)
    preview = await points.rescorer.preview(GUILD, MOD, {"answer_accepted": 25})
    await points.rescorer.apply(GUILD, MOD, preview.rescore_id)

    await points.publish(AnswerUnaccepted(GUILD, clock.now(), question, ALICE, message))

    assert await points.total(ALICE) == 2


async def test_a_preview_applies_once(db: Database, clock: FakeClock) -> None:
    points = Points(db, clock)
    await points.accept(await points.ask(), ALICE)
    preview = await points.rescorer.preview(GUILD, MOD, {"answer_accepted": 25})
    await points.rescorer.apply(GUILD, MOD, preview.rescore_id)

    with pytest.raises(InvalidInput):
        await points.rescorer.apply(GUILD, MOD, preview.rescore_id)
    assert await points.total(ALICE) == 27


async def test_a_rescore_to_the_rules_in_use_is_refused(db: Database, clock: FakeClock) -> None:
    points = Points(db, clock)

    with pytest.raises(InvalidInput):
        await points.rescorer.preview(GUILD, MOD, {"answer_accepted": 15})


async def test_balances_still_equal_the_ledger_after_a_rescore(
    db: Database, clock: FakeClock
) -> None:
    points = Points(db, clock)
    for user in (ALICE, BOB, ASKER):
        await points.accept(await points.ask(), user, asker=99)
    preview = await points.rescorer.preview(GUILD, MOD, {"answer_posted": 5, "daily_cap": 3})
    await points.rescorer.apply(GUILD, MOD, preview.rescore_id)

    async with db.read() as session:
        assert await balances.stored_balances(session, GUILD) == {
            key: n for key, n in (await balances.sums_from_ledger(session, GUILD)).items() if n
        }


async def test_the_service_answers_the_levels_port(db: Database, clock: FakeClock) -> None:
    points = Points(db, clock)
    await points.service.adjust(GUILD, MOD, ALICE, 31, "seed", 1)

    assert isinstance(points.service, Levels)
    assert await points.service.level_of(GUILD, ALICE) == 2


async def test_balances_rebuilt_from_the_ledger_equal_the_kept_ones(
    db: Database, clock: FakeClock
) -> None:
    points = Points(db, clock)
    await points.accept(await points.ask(), ALICE)
    await points.service.adjust(GUILD, MOD, BOB, -4, "seed", 1)
    async with db.read() as session:
        kept = await balances.stored_balances(session, GUILD)

    async with db.transaction() as session:
        await balances.rebuild_balances(session, GUILD)
        rebuilt = await balances.stored_balances(session, GUILD)

    assert rebuilt == kept and kept[("all", BOB)] == -4
