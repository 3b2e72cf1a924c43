"""The weekly report counts the feedback members sent in the week, and only that week."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.core.clock import FakeClock
from bot.services.stats import StatsService
from bot.settings import GuildConfig, Settings
from storage.database import Database
from storage.feedback import queries

GUILD = 1001
IN_W48 = datetime(2026, 11, 25, 12, tzinfo=UTC)
IN_W47 = datetime(2026, 11, 18, 12, tzinfo=UTC)
AFTER_W48 = datetime(2026, 12, 1, 9, tzinfo=UTC)


async def test_the_weekly_report_counts_the_weeks_feedback(db: Database) -> None:
    async with db.transaction() as session:
        await queries.add_feedback(session, GUILD, 1, "More Rust content, please.", IN_W48)
        await queries.add_feedback(session, GUILD, 2, "The drop came too early.", IN_W48)
        await queries.add_feedback(session, GUILD, 3, "An older note from before.", IN_W47)
        await queries.add_feedback(session, GUILD + 1, 4, "Another server entirely.", IN_W48)
    stats = StatsService(db, FakeClock(AFTER_W48), Settings(guilds=(GuildConfig(GUILD),)))

    report = await stats.weekly_report(GUILD, "2026-W48")

    assert report.feedback == 2 and report.to_json()["feedback"] == 2
