"""`FeedbackService`: store a member's feedback, post it to the moderators, list it.

Stored first (the member's words are never lost), then posted to the moderators' log;
a post that failed is tried again by a timer until it lands.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime

from bot.core.access import MODERATORS, AccessPolicy, Caller
from bot.core.clock import Clock
from bot.core.echo import echo
from bot.core.errors import InvalidInput
from bot.core.ports import Publisher
from bot.core.text import t
from bot.scheduler import Scheduler
from bot.services.mod_log import post_to_mod_log
from bot.settings import Settings
from storage.database import Database
from storage.feedback import queries
from storage.feedback.models import TEXT_MAX, Feedback

__all__ = ["TEXT_MAX", "TEXT_MIN", "FeedbackLine", "FeedbackService"]

log = logging.getLogger(__name__)

TEXT_MIN = 10
RETRY_SECONDS = 60.0
SHOWN = 15
LINE_MAX = 180  # characters of one feedback shown in a /feedback list line


@dataclass(frozen=True)
class FeedbackLine:
    """One piece of feedback as a moderator reads it in the list."""

    user_id: int
    at: datetime
    text: str


class FeedbackService:
    """Stores, posts and lists members' feedback."""

    def __init__(
        self,
        settings: Settings,
        db: Database,
        clock: Clock,
        scheduler: Scheduler,
        publisher: Publisher,
    ) -> None:
        self._settings = settings
        self._db = db
        self._clock = clock
        self._scheduler = scheduler
        self._publisher = publisher
        self._access = AccessPolicy(settings.guild)
        self._posting = asyncio.Lock()

    async def start(self) -> None:
        """Post what waits now, and retry failed posts every minute."""
        self._scheduler.every(
            "feedback-post", self.post_pending, seconds=RETRY_SECONDS, start_now=True
        )

    async def stop(self) -> None:
        """Stop the retries (what is left waits in the table)."""
        self._scheduler.cancel("feedback-post")

    async def submit(self, guild_id: int, user_id: int, text: str) -> None:
        """Store the member's feedback, then post it to the moderators' log."""
        cleaned = text.strip()
        if len(cleaned) < TEXT_MIN:
            raise InvalidInput(
                t("Tell us a little more: at least {count} characters.", count=TEXT_MIN)
            )
        if len(cleaned) > TEXT_MAX:
            raise InvalidInput(
                t("That is too long: at most {count} characters, please.", count=TEXT_MAX)
            )
        async with self._db.transaction() as session:
            await queries.add_feedback(session, guild_id, user_id, cleaned, self._clock.now())
        await self.post_pending()

    async def post_pending(self) -> int:
        """Post every unposted feedback, oldest first; how many were handled."""
        handled = 0
        async with self._posting:
            async with self._db.read() as session:
                rows = await queries.unposted(session, 100)
            for row in rows:
                assert row.id is not None
                if not await self._post(row):
                    break
                async with self._db.transaction() as session:
                    await queries.mark_posted(session, row.id, self._clock.now())
                handled += 1
        return handled

    async def _post(self, row: Feedback) -> bool:
        text = t("📝 Feedback from <@{user_id}>:\n{text}", user_id=row.user_id, text=row.text)
        return await post_to_mod_log(
            self._settings, self._publisher, row.guild_id, text, what=f"feedback {row.id}"
        )

    async def newest(self, guild_id: int, caller: Caller) -> list[FeedbackLine]:
        """`/feedback list`: the newest feedback, for moderators."""
        self._access.require(MODERATORS, guild_id, caller)
        async with self._db.read() as session:
            rows = await queries.newest(session, guild_id, SHOWN)
        return [FeedbackLine(r.user_id, r.created_at, echo(r.text, LINE_MAX)) for r in rows]
