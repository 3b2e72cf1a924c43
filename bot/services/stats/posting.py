"""The weekly post: when it is due, posting it exactly once, catching up after downtime."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.core.clock import Clock
from bot.core.ports import OutgoingMessage, PortError, Publisher
from bot.scheduler import Scheduler
from bot.services.stats.weeks import GuildCalendar, IsoWeek
from bot.settings import GuildConfig, Settings
from bot.settings.model import WEEKDAYS
from storage.database import Database
from storage.stats import reads, reports

log = logging.getLogger(__name__)

RETRY_AFTER = timedelta(minutes=10)

# Builds the post for a week and returns it with the numbers to store.
Composer = Callable[[int, IsoWeek], Awaitable[tuple[OutgoingMessage, dict[str, object]]]]


@dataclass(frozen=True)
class PostOutcome:
    """What one attempt to post a guild's weekly report did."""

    guild_id: int
    week: IsoWeek | None
    status: str  # posted | already_posted | not_configured | nothing_to_report | failed
    message_id: int | None = None


def last_due(guild: GuildConfig, now: datetime) -> tuple[IsoWeek, datetime]:
    """The latest scheduled post time at or before `now`, and the week it reports on."""
    calendar = GuildCalendar(guild.timezone)
    monday = calendar.week_of(now).monday
    due = calendar.at_local(
        monday + timedelta(days=WEEKDAYS.index(guild.report_weekday)), guild.report_hour
    )
    if due > now:
        due = calendar.at_local(
            monday + timedelta(days=WEEKDAYS.index(guild.report_weekday) - 7), guild.report_hour
        )
    return calendar.week_of(due).shift(-1), due


class WeeklyPoster:
    """Posts each guild's weekly report to its owners' channel, once per week."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        settings: Settings,
        publisher: Publisher,
        scheduler: Scheduler,
        compose: Composer,
    ) -> None:
        self._db = db
        self._clock = clock
        self._settings = settings
        self._publisher = publisher
        self._scheduler = scheduler
        self._compose = compose

    def job_id(self, guild_id: int) -> str:
        """The scheduler job of a guild's weekly post."""
        return f"stats:weekly:{guild_id}"

    def schedule(self) -> None:
        """One cron job per guild with an owners' channel, at its day and hour."""
        for guild in self._settings.guilds:
            if not guild.owners_channel_id:
                continue
            self._scheduler.cron(
                self.job_id(guild.id),
                self._job(guild.id),
                timezone=guild.timezone,
                day_of_week=guild.report_weekday,
                hour=guild.report_hour,
                minute=0,
            )

    def unschedule(self) -> None:
        """Cancel the weekly jobs (and pending retries)."""
        for guild in self._settings.guilds:
            self._scheduler.cancel(self.job_id(guild.id))
            self._scheduler.cancel(f"{self.job_id(guild.id)}:retry")

    def _job(self, guild_id: int) -> Callable[[], Awaitable[PostOutcome]]:
        async def run() -> PostOutcome:
            return await self.post_due(guild_id)

        return run

    async def catch_up(self) -> list[PostOutcome]:
        """Post every report that fell due while the bot was down (once each).

        A guild with nothing logged before the due time had no community to report on
        yet (a first start): its first report waits for the next scheduled time.
        """
        outcomes = []
        for guild in self._settings.guilds:
            if guild.owners_channel_id:
                _, due = last_due(guild, self._clock.now())
                async with self._db.read() as session:
                    if not await reads.any_interaction_before(session, guild.id, due):
                        outcomes.append(PostOutcome(guild.id, None, "nothing_to_report"))
                        continue
            outcomes.append(await self.post_due(guild.id))
        return outcomes

    async def post_due(self, guild_id: int) -> PostOutcome:
        """Post the latest due report of a guild unless it was posted already."""
        guild = self._settings.guild(guild_id)
        if guild is None or not guild.owners_channel_id:
            return PostOutcome(guild_id, None, "not_configured")
        week, due = last_due(guild, self._clock.now())
        async with self._db.read() as session:
            stored = await reports.get(session, guild_id, str(week))
        if stored is not None and stored.posted_at is not None:
            if stored.message_id is None:
                log.warning(
                    "stats: the %s report of guild %s was being posted at %s but no message "
                    "was recorded; check the owners' channel",
                    week,
                    guild_id,
                    stored.posted_at,
                )
            return PostOutcome(guild_id, week, "already_posted", stored.message_id)
        message, numbers = await self._compose(guild_id, week)
        async with self._db.transaction() as session:
            await reports.save_numbers(session, guild_id, str(week), numbers, self._clock.now())
            claimed = await reports.claim_post(session, guild_id, str(week), self._clock.now())
        if not claimed:
            return PostOutcome(guild_id, week, "already_posted")
        try:
            message_id = await self._publisher.post(guild.owners_channel_id, message)
        except PortError as error:
            async with self._db.transaction() as session:
                await reports.release_claim(session, guild_id, str(week))
            retry_at = self._clock.now() + RETRY_AFTER
            log.warning(
                "stats: posting the %s report of guild %s failed (%s); retrying at %s",
                week,
                guild_id,
                error,
                retry_at,
            )
            self._scheduler.at(f"{self.job_id(guild_id)}:retry", self._job(guild_id), retry_at)
            return PostOutcome(guild_id, week, "failed")
        async with self._db.transaction() as session:
            await reports.mark_posted(session, guild_id, str(week), message_id)
        log.info("stats: posted the %s report of guild %s (due %s)", week, guild_id, due)
        return PostOutcome(guild_id, week, "posted", message_id)
