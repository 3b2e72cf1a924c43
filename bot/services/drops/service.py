"""`DropService`: the library, scheduled drops, drip and engagement, for every guild."""

from __future__ import annotations

from bot.core.clock import Clock
from bot.core.errors import InvalidInput
from bot.core.events import EventBus
from bot.core.ports import DirectMessages, Levels, Notifier, Publisher, Standing
from bot.core.text import t
from bot.scheduler import Scheduler as TimerScheduler
from bot.services.drops.core import Core, DropNotFound
from bot.services.drops.engagement import Engagement
from bot.services.drops.library import Library
from bot.services.drops.posting import Poster
from bot.services.drops.schedule import Scheduler
from bot.services.drops.sessions import LiveSessions
from bot.services.drops.views import DropChannel, Opened, RunSummary
from bot.settings import Settings
from storage.database import Database
from storage.drops import queries
from storage.interaction_log import InteractionLog

DRIP_CHECK_S = 300.0
REMIND_CHECK_S = 60.0


class DropService:
    """The drops feature: `library`, `drops` (scheduling), `poster` (the timer), `engagement`."""

    def __init__(
        self,
        settings: Settings,
        db: Database,
        clock: Clock,
        interaction_log: InteractionLog,
        bus: EventBus,
        publisher: Publisher,
        notifier: Notifier,
        *,
        scheduler: TimerScheduler | None = None,
        standing: Standing | None = None,
        levels: Levels | None = None,
        direct_messages: DirectMessages | None = None,
    ) -> None:
        self.core = Core(
            settings, db, clock, interaction_log, bus, publisher, notifier, standing, levels,
            direct_messages,
        )  # fmt: skip
        self.poster = Poster(self.core)
        self.library = Library(self.core)
        self.drops = Scheduler(self.core, self.poster)
        self.engagement = Engagement(self.core, self.poster)
        self.sessions = LiveSessions(self.core)
        self.poster.sessions = self.sessions
        self.drops.sessions = self.sessions
        self._scheduler = scheduler

    def connect(self, channel: DropChannel) -> None:
        """The Discord side (posting with a nonce, history, threads, events) is ready."""
        self.core.channel = channel

    @property
    def db(self) -> Database:
        """The database (tests read it)."""
        return self.core.db

    async def start(self) -> None:
        """Start the timer (it posts from the first catch-up on)."""
        await self.poster.start()
        if self._scheduler is not None:
            self._scheduler.every("drops:drip", self.engagement.unlock_due, seconds=DRIP_CHECK_S)
            self._scheduler.every("drops:remind", self.sessions.remind_due, seconds=REMIND_CHECK_S)

    async def stop(self) -> None:
        """Stop the timer between two runs."""
        if self._scheduler is not None:
            self._scheduler.cancel("drops:drip")
            self._scheduler.cancel("drops:remind")
        await self.poster.stop()

    async def catch_up(self) -> RunSummary:
        """After READY: settle what a crash left, post what is due, unlock dripped items."""
        await self.sessions.load()
        summary = await self.poster.catch_up()
        await self.engagement.unlock_due()
        await self.sessions.remind_due()
        return summary

    async def run_due(self) -> RunSummary:
        """Post every drop due now."""
        return await self.poster.run_due()

    async def open_drop(
        self, guild_id: int, user_id: int, drop_id: int, channel_id: int | None = None
    ) -> Opened:
        """A member clicked Open on a drop post."""
        async with self.core.db.read() as session:
            row = await queries.drop(session, guild_id, drop_id)
        if row is None or row.status not in ("posted", "posting"):
            raise DropNotFound(t("This drop is no longer available."))
        return await self.library.open(
            guild_id, user_id, row.content_id, drop_id=drop_id, channel_id=channel_id
        )

    async def upsell_tier(self, guild_id: int, content_id: int) -> str:
        """The tier that opens an item (for the upsell's Subscribe button)."""
        async with self.core.db.read() as session:
            row = await self.core.item_row(session, guild_id, content_id)
        if row.access != "tier" or not row.tier_key:
            raise InvalidInput(t("This item needs no subscription."))
        return row.tier_key
