""" "And stop recording me": the interaction log and the join path skip the member."""

from __future__ import annotations

from sqlmodel import select

from bot.core.clock import FakeClock
from bot.services.activity import ActivityService
from storage.activity.models import Member
from storage.database import Database
from storage.interactions import Interaction
from tests.services.privacy.support import ALICE, BOB, GUILD, NOW, places_holding, seed, services


async def _logged(db: Database, user_id: int) -> int:
    async with db.read() as session:
        rows = await session.exec(select(Interaction).where(Interaction.user_id == user_id))
        return len(rows.all())


async def test_the_interaction_log_records_nothing_of_a_member_who_opted_out(
    db: Database,
) -> None:
    privacy, _, log = services(db, FakeClock(NOW))
    await seed(db)
    await privacy.start()
    await privacy.delete(GUILD, ALICE, stop_recording=True)

    assert log.record(GUILD, ALICE, "message", NOW) is False
    assert log.record(GUILD, BOB, "message", NOW) is True
    await log.flush()

    assert await _logged(db, ALICE) == 0
    assert log.accepts(GUILD, BOB) and not log.accepts(GUILD, ALICE)


async def test_rows_queued_before_the_deletion_are_dropped_with_it(db: Database) -> None:
    privacy, _, log = services(db, FakeClock(NOW))
    await privacy.start()
    log.record(GUILD, ALICE, "command", NOW)  # the /privacy command itself, not yet written

    await privacy.delete(GUILD, ALICE, stop_recording=False)
    await log.flush()

    assert await _logged(db, ALICE) == 0


async def test_an_opted_out_member_who_rejoins_is_not_recorded(db: Database) -> None:
    clock = FakeClock(NOW)
    privacy, _, log = services(db, clock)
    await seed(db)
    await privacy.start()
    await privacy.delete(GUILD, ALICE, stop_recording=True)
    activity = ActivityService(db, log, clock)

    await activity.member_left(GUILD, ALICE)
    await activity.member_joined(GUILD, ALICE)
    await activity.roster_seen(GUILD, {ALICE: NOW, BOB: NOW})
    await log.flush()

    assert await places_holding(db, ALICE) == []


async def test_the_opt_out_survives_a_restart(db: Database) -> None:
    clock = FakeClock(NOW)
    privacy, _, _ = services(db, clock)
    await privacy.start()
    await privacy.delete(GUILD, ALICE, stop_recording=True)

    restarted, _, log = services(db, clock)
    await restarted.start()

    assert not log.accepts(GUILD, ALICE) and log.accepts(GUILD, BOB)


async def test_a_deletion_without_opt_out_keeps_recording(db: Database) -> None:
    clock = FakeClock(NOW)
    privacy, _, log = services(db, clock)
    await privacy.start()
    await privacy.delete(GUILD, ALICE, stop_recording=False)

    activity = ActivityService(db, log, clock)
    await activity.member_joined(GUILD, ALICE)

    async with db.read() as session:
        assert (await session.exec(select(Member).where(Member.user_id == ALICE))).first()
