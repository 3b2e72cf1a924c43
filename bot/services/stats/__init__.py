"""Stats: the weekly numbers owners decide from (definitions in docs/metrics.md)."""

from bot.services.stats.report import WeeklyReport
from bot.services.stats.service import StatsService
from bot.services.stats.weeks import GuildCalendar, IsoWeek

__all__ = ["GuildCalendar", "IsoWeek", "StatsService", "WeeklyReport"]
