"""The apply of a re-score reuses its preview's replay and still counts what came since."""

from __future__ import annotations

from bot.core.clock import FakeClock
from storage.database import Database
from storage.points import ledger
from storage.points.privacy import forget_member
from storage.privacy import Erasure
from tests.services.points.support import ALICE, BOB, GUILD, MOD, Points


async def test_an_apply_counts_the_awards_that_came_after_its_preview(
    db: Database, clock: FakeClock
) -> None:
    points = Points(db, clock)
    await points.accept(await points.ask(), ALICE)
    preview = await points.rescorer.preview(GUILD, MOD, {"answer_accepted": 20})
    await points.accept(await points.ask(), ALICE)  # paid 15 under the rules in use
    await points.accept(await points.ask(), BOB)  # a member the preview never saw

    await points.rescorer.apply(GUILD, MOD, preview.rescore_id)

    assert (await points.total(ALICE), await points.total(BOB)) == (2 * 22, 22)


async def test_an_apply_writes_nothing_for_a_member_erased_after_the_preview(
    db: Database, clock: FakeClock
) -> None:
    points = Points(db, clock)
    await points.accept(await points.ask(), ALICE)
    await points.accept(await points.ask(), BOB)
    preview = await points.rescorer.preview(GUILD, MOD, {"answer_accepted": 20})
    async with db.transaction() as session:
        await forget_member(session, Erasure(GUILD, ALICE, -1, clock.now()))

    await points.rescorer.apply(GUILD, MOD, preview.rescore_id)

    async with db.read() as session:
        assert await ledger.entry_count(session, GUILD, ALICE) == 0
    assert await points.total(BOB) == 22


async def test_an_apply_without_its_preview_in_memory_replays_everything(
    db: Database, clock: FakeClock
) -> None:
    points = Points(db, clock)
    await points.accept(await points.ask(), ALICE)
    preview = await points.rescorer.preview(GUILD, MOD, {"answer_accepted": 20})
    points.service.replays.clear()  # a restart between the preview and the apply
    await points.accept(await points.ask(), ALICE)

    await points.rescorer.apply(GUILD, MOD, preview.rescore_id)

    assert await points.total(ALICE) == 2 * 22
