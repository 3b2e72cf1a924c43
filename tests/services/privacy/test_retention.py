"""Retention: raw rows older than N days go, the rollups and every past number stay;
members who left long ago are forgotten; each run is audited."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func
from sqlalchemy import select as core_select
from sqlmodel import col, select

from bot.core.clock import FakeClock
from bot.core.kinds import READ_RAW
from storage.activity import members
from storage.audit.models import AuditEntry
from storage.database import Database
from storage.interactions import Interaction
from storage.stats.sql import as_utc, execute
from tests.services.privacy.support import (
    ALICE,
    BOB,
    GUILD,
    NOW,
    at,
    places_holding,
    reports,
    seed,
    services,
    settings,
)
from tests.services.stats.community import Community

KEEP_DAYS = 14  # NOW - 14 days falls in 2026-W46


async def _oldest_purgeable(db: Database) -> datetime:
    async with db.read() as session:
        query = core_select(func.min(Interaction.at)).where(
            col(Interaction.kind).not_in(list(READ_RAW))
        )
        return as_utc((await execute(session, query)).scalar_one())


async def test_the_purge_deletes_old_raw_rows_and_keeps_every_weekly_number(
    db: Database,
) -> None:
    privacy, stats, _ = services(db, FakeClock(NOW), settings(interactions_days=KEEP_DAYS))
    await seed(db)
    before = await reports(stats)
    assert privacy.retention is not None

    run = await privacy.retention.run(GUILD)

    assert run.interactions_purged > 0
    assert await _oldest_purgeable(db) >= NOW - timedelta(days=KEEP_DAYS + 1)
    assert await reports(stats) == before


async def test_a_full_rebuild_after_a_purge_loses_nothing(db: Database) -> None:
    privacy, stats, _ = services(db, FakeClock(NOW), settings(interactions_days=KEEP_DAYS))
    await seed(db)
    before = await reports(stats)
    assert privacy.retention is not None
    await privacy.retention.run(GUILD)

    await stats.rebuild_rollups()

    assert await reports(stats) == before


async def test_a_late_row_for_an_open_day_still_counts_after_a_purge(db: Database) -> None:
    privacy, stats, _ = services(db, FakeClock(NOW), settings(interactions_days=KEEP_DAYS))
    await seed(db)
    assert privacy.retention is not None
    await privacy.retention.run(GUILD)
    wau = (await stats.weekly_report(GUILD, "2026-W47")).wau

    await Community(guild_id=GUILD).message(999, at(2, 4)).write(db)

    assert (await stats.weekly_report(GUILD, "2026-W47")).wau == wau + 1


async def test_the_purge_only_deletes_rows_the_rollups_have_read(db: Database) -> None:
    privacy, stats, _ = services(db, FakeClock(NOW), settings(interactions_days=KEEP_DAYS))
    await seed(db)
    # Nothing was rolled up yet: the purge rolls up first, so the numbers still hold them.
    assert privacy.retention is not None
    await privacy.retention.run(GUILD)

    report = (await stats.weekly_report(GUILD, "2026-W45")).to_json()

    assert report["wau"] == 2 and report["communicators"] == 2


async def test_members_who_left_long_ago_are_forgotten_and_the_numbers_stay(
    db: Database,
) -> None:
    clock = FakeClock(at(1, 4))
    privacy, stats, _ = services(db, clock, settings(forget_left_after_days=7))
    await seed(db)
    await Community(guild_id=GUILD).leave(BOB, at(1, 4)).write(db)
    async with db.transaction() as session:
        await members.record_leave(session, GUILD, BOB, at(1, 4))
    clock.set(NOW)
    before = await reports(stats)
    assert privacy.retention is not None

    run = await privacy.retention.run(GUILD)

    assert run.members_forgotten == 1
    assert await places_holding(db, BOB) == []
    assert await places_holding(db, ALICE) != []
    assert await reports(stats) == before


async def test_each_retention_run_that_changes_something_is_audited(db: Database) -> None:
    privacy, _, _ = services(db, FakeClock(NOW), settings(interactions_days=KEEP_DAYS))
    await seed(db)
    assert privacy.retention is not None

    run = await privacy.retention.run(GUILD)

    async with db.read() as session:
        entries = await session.exec(
            select(AuditEntry).where(AuditEntry.action == "privacy.retention")
        )
        [entry] = entries.all()
    assert entry.details is not None
    assert entry.details["interactions_purged"] == run.interactions_purged
