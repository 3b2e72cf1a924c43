"""The weekly report names the week's top helpers by points (hidden members left out)."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.core.clock import FakeClock
from bot.services.stats import StatsService
from bot.settings import GuildConfig, Settings
from storage.database import Database
from tests.services.points.support import ALICE, ASKER, BOB, GUILD, MOD, Points

AFTER_THE_WEEK = datetime(2026, 12, 1, 9, tzinfo=UTC)


async def report_helpers(db: Database) -> list[tuple[int, int]]:
    stats = StatsService(db, FakeClock(AFTER_THE_WEEK), Settings(guilds=(GuildConfig(GUILD),)))
    report = await stats.weekly_report(GUILD, "2026-W48")
    return [(h.user_id, h.points) for h in report.top_helpers]


async def test_the_weekly_report_lists_the_weeks_top_helpers(
    db: Database, clock: FakeClock
) -> None:
    points = Points(db, clock)  # the clock is in 2026-W48
    await points.accept(await points.ask(), ALICE)
    await points.answer(await points.ask(), BOB)

    assert await report_helpers(db) == [(ALICE, 17), (BOB, 2)]


async def test_members_hidden_from_boards_stay_out_of_the_report(
    db: Database, clock: FakeClock
) -> None:
    points = Points(db, clock)
    await points.service.adjust(GUILD, MOD, ALICE, 9, "talk", 1)
    await points.service.adjust(GUILD, MOD, ASKER, 3, "talk", 2)
    await points.service.set_hidden(GUILD, ALICE, True)

    assert await report_helpers(db) == [(ASKER, 3)]
