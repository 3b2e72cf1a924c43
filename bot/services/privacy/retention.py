"""Retention, as durable daily jobs: raw interactions older than N days are purged (the
rollups and every past number stay), and members who left more than N days ago are
forgotten as a deletion would. Each run is audited and recorded; a run cut short by a
restart is simply done again by the next (every step is idempotent)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.core.clock import Clock
from bot.core.ports import LogRetention
from bot.scheduler import Scheduler
from bot.services.privacy.service import PrivacyService
from bot.services.privacy.settings import PRIVACY_SECTION
from bot.settings import Settings
from storage.audit.queries import add_audit
from storage.database import Database
from storage.privacy import queries as privacy_store

log = logging.getLogger(__name__)

JOB_ID = "privacy:retention"
EVERY_S = 24 * 3600
FORGET_BATCH = 1000


@dataclass(frozen=True)
class RetentionRun:
    """What one guild's retention run did."""

    guild_id: int
    interactions_purged: int = 0
    members_forgotten: int = 0


class PrivacyRetention:
    """Runs every guild's retention policy (`[guilds.privacy]`)."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        settings: Settings,
        privacy: PrivacyService,
        purger: LogRetention | None,
        scheduler: Scheduler | None = None,
    ) -> None:
        self._db = db
        self._clock = clock
        self._settings = settings
        self._privacy = privacy
        self._purger = purger
        self._scheduler = scheduler

    def schedule(self) -> None:
        """Run daily, and once soon after start (a missed day is caught up)."""
        if self._scheduler is not None and any(
            g.section(PRIVACY_SECTION) != PRIVACY_SECTION.default() for g in self._settings.guilds
        ):
            self._scheduler.every(JOB_ID, self.run_all, seconds=EVERY_S, start_now=True)

    def unschedule(self) -> None:
        """Cancel the daily job."""
        if self._scheduler is not None and JOB_ID in self._scheduler.job_ids():
            self._scheduler.cancel(JOB_ID)

    async def run_all(self) -> list[RetentionRun]:
        """Every configured guild's retention, one after the other."""
        return [await self.run(guild.id) for guild in self._settings.guilds]

    async def run(self, guild_id: int) -> RetentionRun:
        """One guild's retention: purge old raw rows, forget long-departed members."""
        guild = self._settings.guild(guild_id)
        policy = guild.section(PRIVACY_SECTION) if guild else PRIVACY_SECTION.default()
        now = self._clock.now()
        purged = forgotten = 0
        if policy.interactions_days:
            purged = await self._purge(guild_id, now - timedelta(days=policy.interactions_days))
        if policy.forget_left_after_days:
            before = now - timedelta(days=policy.forget_left_after_days)
            forgotten = await self._forget_departed(guild_id, before)
        if purged or forgotten:
            async with self._db.transaction() as session:
                await add_audit(
                    session, guild_id, 0, "privacy.retention", self._clock.now(),
                    details={"interactions_purged": purged, "members_forgotten": forgotten,
                             "interactions_days": policy.interactions_days,
                             "forget_left_after_days": policy.forget_left_after_days},
                )  # fmt: skip
            log.info(
                "privacy retention in guild %s: %d raw interactions purged, %d departed "
                "members forgotten", guild_id, purged, forgotten,
            )  # fmt: skip
        return RetentionRun(guild_id, purged, forgotten)

    async def _purge(self, guild_id: int, before: datetime) -> int:
        if self._purger is None:
            log.warning("privacy retention: no stats feature to roll the log up; not purging")
            return 0
        return await self._purger.purge_interactions(guild_id, before)

    async def _forget_departed(self, guild_id: int, before: datetime) -> int:
        if self._privacy.key is None:
            self._privacy.say_key_missing()
            return 0
        forgotten = 0
        while True:
            async with self._db.read() as session:
                batch = await privacy_store.departed_before(session, guild_id, before, FORGET_BATCH)
            for user_id in batch:
                await self._privacy.forget(guild_id, user_id, kind="retention")
                forgotten += 1
            if len(batch) < FORGET_BATCH:
                return forgotten
