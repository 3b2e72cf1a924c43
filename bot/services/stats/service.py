"""The stats service: weekly reports, cohort tables and exports for one guild."""

from __future__ import annotations

import asyncio
import csv
import io
import logging
from dataclasses import replace
from datetime import datetime
from typing import Any

from bot.core.clock import Clock
from bot.core.errors import InvalidInput
from bot.core.kinds import READ_RAW
from bot.core.ports import Attachment, OutgoingMessage, Publisher
from bot.core.text import t
from bot.scheduler import Scheduler
from bot.services.stats import charts, metrics, presentation
from bot.services.stats.posting import PostOutcome, WeeklyPoster
from bot.services.stats.report import WeeklyReport
from bot.services.stats.rollups import RefreshSummary, RollupRefresher
from bot.services.stats.weeks import GuildCalendar, IsoWeek
from bot.settings import Settings
from storage.database import Database
from storage.stats import reports

log = logging.getLogger(__name__)

MAX_EXPORT_WEEKS = 52
ROLLUP_REFRESH_S = 3600  # keeps the rollups warm so a report only reads the last hour


class StatsService:
    """Computes the numbers owners decide from (definitions: docs/metrics.md)."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        settings: Settings,
        *,
        publisher: Publisher | None = None,
        scheduler: Scheduler | None = None,
    ) -> None:
        self._db = db
        self._clock = clock
        self._settings = settings
        self._scheduler = scheduler
        self._drawing = asyncio.Lock()  # one matplotlib render at a time
        self.rollups = RollupRefresher(db, clock, self.timezone_of)
        self.poster = (
            WeeklyPoster(db, clock, settings, publisher, scheduler, self._compose_post)
            if publisher is not None and scheduler is not None
            else None
        )

    # ------------------------------------------------------------ lifetime

    async def start(self) -> None:
        """Schedule the weekly posts and the hourly rollup refresh."""
        if self._scheduler is not None:
            self._scheduler.every("stats:rollups", self.refresh_rollups, seconds=ROLLUP_REFRESH_S)
        if self.poster is not None:
            self.poster.schedule()

    async def stop(self) -> None:
        """Cancel the timers."""
        if self._scheduler is not None:
            self._scheduler.cancel("stats:rollups")
        if self.poster is not None:
            self.poster.unschedule()

    async def catch_up(self) -> list[PostOutcome]:
        """Post the weekly reports that fell due while the bot was down (once each)."""
        return [] if self.poster is None else await self.poster.catch_up()

    async def post_due(self, guild_id: int) -> PostOutcome | None:
        """Post a guild's due weekly report unless it was posted already."""
        return None if self.poster is None else await self.poster.post_due(guild_id)

    def timezone_of(self, guild_id: int) -> str:
        """The guild's configured time zone (UTC when it is not configured)."""
        guild = self._settings.guild(guild_id)
        return guild.timezone if guild else "UTC"

    def calendar(self, guild_id: int) -> GuildCalendar:
        """Local days and weeks of the guild."""
        return GuildCalendar(self.timezone_of(guild_id))

    def last_complete_week(self, guild_id: int) -> IsoWeek:
        """The most recent week that has ended in the guild's time zone."""
        return self.calendar(guild_id).last_complete_week(self._clock.now())

    def resolve_week(self, guild_id: int, week: str | IsoWeek | None) -> IsoWeek:
        """A week given as text (or nothing: the last complete week); not in the future."""
        if week is None:
            return self.last_complete_week(guild_id)
        chosen = IsoWeek.parse(week) if isinstance(week, str) else week
        current = self.calendar(guild_id).week_of(self._clock.now())
        if chosen > current:
            raise InvalidInput(
                t(
                    "{week} has not started yet; the current week is {current}",
                    week=chosen,
                    current=current,
                )
            )
        return chosen

    async def refresh_rollups(self) -> RefreshSummary:
        """Bring the rollups up to the newest interaction."""
        return await self.rollups.refresh()

    async def purge_interactions(self, guild_id: int, before: datetime) -> int:
        """Retention (`LogRetention`): delete the guild's raw rows of the local days wholly
        before `before`, once rolled up; the rollups and every past number stay."""
        calendar = self.calendar(guild_id)
        start = calendar.day_start(calendar.day_of(before))
        return await self.rollups.purge_before(guild_id, start, READ_RAW)

    async def rebuild_rollups(self) -> RefreshSummary:
        """Rebuild every rollup from the whole log (after a repair; normally never needed)."""
        return await self.rollups.rebuild()

    async def weekly_report(self, guild_id: int, week: str | IsoWeek | None = None) -> WeeklyReport:
        """Every number of one week (default: the last complete one) for one guild."""
        chosen = self.resolve_week(guild_id, week)
        await self.rollups.refresh()
        async with self._db.read() as session:
            report = await metrics.weekly_report(session, guild_id, chosen, self.calendar(guild_id))
        return replace(report, in_progress=self._clock.now() < report.end)

    async def weekly_reports(
        self, guild_id: int, last: str | IsoWeek | None = None, weeks: int = 12
    ) -> list[WeeklyReport]:
        """Reports for `weeks` consecutive weeks ending with `last`, oldest first."""
        if not 1 <= weeks <= MAX_EXPORT_WEEKS:
            raise InvalidInput(t("choose between 1 and {max} weeks", max=MAX_EXPORT_WEEKS))
        final = self.resolve_week(guild_id, last)
        await self.rollups.refresh()
        calendar = self.calendar(guild_id)
        async with self._db.read() as session:
            return [
                await metrics.weekly_report(session, guild_id, final.shift(-back), calendar)
                for back in range(weeks - 1, -1, -1)
            ]

    async def previous_numbers(self, guild_id: int, week: IsoWeek) -> dict[str, Any]:
        """The week before `week`: as stored when it was posted, else computed now."""
        before = week.shift(-1)
        async with self._db.read() as session:
            stored = await reports.get(session, guild_id, str(before))
        if stored is not None and stored.numbers:
            return dict(stored.numbers)
        return (await self.weekly_report(guild_id, before)).to_json()

    async def charts(self, report: WeeklyReport) -> dict[str, bytes]:
        """The report's PNG charts by file name (drawn off the event loop)."""
        async with self._drawing:
            return await asyncio.to_thread(charts.report_charts, report)

    async def week_message(self, guild_id: int, week: str | None = None) -> OutgoingMessage:
        """`/stats week`: the weekly post for any week (default: the last complete one)."""
        report = await self.weekly_report(guild_id, week)
        previous = await self.previous_numbers(guild_id, report.week)
        return presentation.report_message(report, previous, await self.charts(report))

    async def retention_message(self, guild_id: int, week: str | None = None) -> OutgoingMessage:
        """`/stats retention`: the cohort table as a heatmap."""
        report = await self.weekly_report(guild_id, week)
        async with self._drawing:
            chart = await asyncio.to_thread(charts.cohort_heatmap, report)
        return presentation.retention_message(report, chart)

    async def content_message(self, guild_id: int, week: str | None = None) -> OutgoingMessage:
        """`/stats content`: the week's most opened content."""
        report = await self.weekly_report(guild_id, week)
        async with self._drawing:
            chart = await asyncio.to_thread(charts.top_content_chart, report)
        return presentation.content_message(report, chart)

    async def export_file(self, guild_id: int, weeks: int = 12) -> Attachment:
        """`/stats export`: a CSV of the last `weeks` complete weeks."""
        data = await self.export_csv(guild_id, None, weeks)
        last = self.last_complete_week(guild_id)
        return Attachment(f"lyceum-stats-{guild_id}-{last}.csv", data)

    async def _compose_post(
        self, guild_id: int, week: IsoWeek
    ) -> tuple[OutgoingMessage, dict[str, Any]]:
        report = await self.weekly_report(guild_id, week)
        previous = await self.previous_numbers(guild_id, week)
        message = presentation.report_message(report, previous, await self.charts(report))
        return message, report.to_json()

    async def export_csv(
        self, guild_id: int, last: str | IsoWeek | None = None, weeks: int = 12
    ) -> bytes:
        """One CSV row of headline numbers per week, oldest first (UTF-8)."""
        reports = await self.weekly_reports(guild_id, last, weeks)
        return reports_csv(reports)


CSV_COLUMNS = (
    "week", "members_start", "members_end", "joined", "left", "net_growth",
    "member_retention", "churn", "new_member_retention", "interactions", "per_member",
    "per_active_member", "dau_mean", "wau", "mau", "stickiness", "communicators",
    "paying", "new_paid", "churned_paid", "mrr", "conversion_30d", "questions",
    "answered_pct", "median_first_answer_minutes", "solved_pct", "content_opens",
)  # fmt: skip


def reports_csv(reports: list[WeeklyReport]) -> bytes:
    """Headline numbers of several weekly reports as CSV (fractions 0..1, empty for null)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for report in reports:
        data = report.to_json()
        mrr = " + ".join(f"{v:.2f} {k.upper()}" for k, v in data["paid"]["mrr"].items())
        row = [
            data["week"], data["members"]["start"], data["members"]["end"],
            data["members"]["joined"], data["members"]["left"], data["net_growth"],
            data["member_retention"], data["churn"], data["new_member_retention"],
            data["activity"]["interactions"], data["activity"]["per_member"],
            data["activity"]["per_active_member"], data["dau_mean"], data["wau"], data["mau"],
            data["stickiness"], data["communicators"], data["paid"]["paying"],
            data["paid"]["new"], data["paid"]["churned"], mrr, data["paid"]["conversion_30d"],
            data["qa"]["asked"], data["qa"]["answered_pct"],
            data["qa"]["median_first_answer_minutes"], data["qa"]["solved_pct"],
            sum(c.opens for c in report.content),
        ]  # fmt: skip
        writer.writerow("" if value is None else value for value in row)
    return out.getvalue().encode("utf-8")
