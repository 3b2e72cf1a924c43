"""`QaService`: the one Q&A service the cogs and the runtime see.

It composes the parts (asking, lifecycle, moderation, timers) over one `QaCore` and
answers the helpers' view (`/questions`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence

from bot.core.access import Caller
from bot.core.clock import Clock
from bot.core.errors import InvalidInput
from bot.core.events import EventBus
from bot.core.text import t
from bot.scheduler import Scheduler
from bot.services.qa.asking import Asking
from bot.services.qa.core import QaCore, view_of
from bot.services.qa.duplicates import Reranker
from bot.services.qa.lifecycle import Lifecycle
from bot.services.qa.moderation import Moderation
from bot.services.qa.ports import Threads
from bot.services.qa.rerank import load_reranker
from bot.services.qa.timers import Fired, Timers
from bot.services.qa.views import AskForm, AskOutcome, MarkOutcome, Posted, QuestionView
from bot.settings import Settings
from storage.database import Database
from storage.interaction_log import InteractionLog
from storage.qa import queries
from storage.qa.models import ANSWERED, CLOSED, OPEN, SOLVED, STATUSES

log = logging.getLogger(__name__)

TIMER_JOB = "qa:timers"
TIMER_CHECK_S = 60.0
LISTED = 15
# /questions status filter: "unanswered" (default) is the helpers' queue.
STATUS_FILTERS = {
    "unanswered": (OPEN,),
    "answered": (ANSWERED,),
    "waiting": (OPEN, ANSWERED),
    "solved": (SOLVED,),
    "closed": (CLOSED,),
}


class QaService:
    """Q&A threads: ask well, find duplicates first, answer, solve."""

    def __init__(
        self,
        settings: Settings,
        db: Database,
        clock: Clock,
        interaction_log: InteractionLog,
        bus: EventBus,
        scheduler: Scheduler | None = None,
        load_reranker: Callable[[], Reranker | None] = load_reranker,
    ) -> None:
        self.core = QaCore(settings, db, clock, interaction_log, bus)
        self.asking = Asking(self.core, load_reranker)
        self.lifecycle = Lifecycle(self.core)
        self.moderation = Moderation(self.core)
        self.timers = Timers(self.core)
        self._scheduler = scheduler
        self._preloading: asyncio.Task[None] | None = None

    def attach(self, threads: Threads) -> None:
        """Use these Discord threads (the cog's adapter) from now on."""
        self.core.threads = threads

    async def start(self) -> None:
        """Load the re-ranker (in the background); check the timers every minute."""
        self._preloading = asyncio.create_task(self._preload())
        if self._scheduler is not None:
            self._scheduler.every(TIMER_JOB, self.run_due, seconds=TIMER_CHECK_S)

    async def _preload(self) -> None:
        try:
            await self.asking.preload()
        except Exception:  # /ask loads it again, or goes without
            log.exception("the re-ranker did not load at start")

    async def stop(self) -> None:
        """Stop checking the timers."""
        if self._scheduler is not None:
            self._scheduler.cancel(TIMER_JOB)
        if self._preloading is not None:
            self._preloading.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._preloading

    async def run_due(self) -> list[Fired]:
        """Fire the timers that are due (nudges, pings, inactive closes), once each."""
        return await self.timers.run_due()

    def channel_id(self, guild_id: int) -> int:
        """The guild's Q&A channel (0: none)."""
        return self.core.channel_id(guild_id)

    # -- asking ----------------------------------------------------------------------

    async def form(self, guild_id: int, user_id: int, draft_id: int = 0) -> AskForm:
        """The /ask modal's contents."""
        return await self.asking.form(guild_id, user_id, draft_id)

    async def submit(
        self,
        guild_id: int,
        user_id: int,
        title: str,
        details: str,
        tags: Sequence[str],
        draft_id: int = 0,
    ) -> AskOutcome:
        """The /ask modal was sent."""
        return await self.asking.submit(guild_id, user_id, title, details, tags, draft_id)

    async def post_anyway(self, guild_id: int, user_id: int, draft_id: int) -> Posted:
        """ "Post anyway" under the duplicates."""
        return await self.asking.post(guild_id, user_id, draft_id)

    async def solved_it(
        self, guild_id: int, user_id: int, draft_id: int, question_id: int
    ) -> QuestionView:
        """ "This solved it" under a duplicate."""
        return await self.asking.solved_it(guild_id, user_id, draft_id, question_id)

    # -- the thread's life -------------------------------------------------------------

    async def message_posted(
        self, guild_id: int, thread_id: int, message_id: int, author_id: int
    ) -> bool:
        """A member posted in a Q&A thread."""
        return await self.lifecycle.message_posted(guild_id, thread_id, message_id, author_id)

    async def message_deleted(self, guild_id: int, channel_id: int, message_id: int) -> None:
        """A message in a Q&A thread was deleted."""
        await self.lifecycle.message_deleted(guild_id, channel_id, message_id)

    async def mark(
        self,
        guild_id: int,
        caller: Caller,
        thread_id: int,
        message_id: int,
        author_id: int,
        author_is_bot: bool,
        text: str,
    ) -> MarkOutcome:
        """ "Mark as answer" on a message."""
        return await self.lifecycle.mark(
            guild_id, caller, thread_id, message_id, author_id, author_is_bot, text
        )

    async def confirm(self, guild_id: int, caller: Caller, mark_id: int, yes: bool) -> MarkOutcome:
        """The asker's answer to someone else's mark."""
        return await self.lifecycle.confirm(guild_id, caller, mark_id, yes)

    # -- moderation ----------------------------------------------------------------------

    async def close(
        self, guild_id: int, caller: Caller, thread_id: int, reason: str
    ) -> QuestionView:
        """`/qa close`."""
        return await self.moderation.close(guild_id, caller, thread_id, reason)

    async def duplicate(
        self, guild_id: int, caller: Caller, thread_id: int, original_id: int
    ) -> QuestionView:
        """`/qa duplicate`."""
        return await self.moderation.duplicate(guild_id, caller, thread_id, original_id)

    async def reopen(self, guild_id: int, caller: Caller, thread_id: int) -> QuestionView:
        """`/qa reopen`."""
        return await self.moderation.reopen(guild_id, caller, thread_id)

    async def member_left(self, guild_id: int, user_id: int) -> int:
        """The member left: their unsolved questions close."""
        return await self.moderation.asker_left(guild_id, user_id)

    async def thread_deleted(self, guild_id: int, thread_id: int) -> bool:
        """A thread was deleted."""
        return await self.moderation.thread_deleted(guild_id, thread_id)

    # -- the helpers' view -------------------------------------------------------------------

    async def queue(
        self, guild_id: int, *, status: str = "unanswered", tag: str | None = None
    ) -> list[QuestionView]:
        """`/questions`: oldest first, by status (default: unanswered) and tag."""
        statuses = STATUS_FILTERS.get(status) or ((status,) if status in STATUSES else None)
        if statuses is None:
            raise InvalidInput(t("Pick one of the offered statuses."))
        async with self.core.db.read() as session:
            rows = await queries.queue(session, guild_id, statuses, 500 if tag else LISTED)
        picked = [view_of(q) for q in rows if tag is None or tag in q.tags]
        return picked[:LISTED]

    async def mine(self, guild_id: int, user_id: int) -> list[QuestionView]:
        """`/questions mine`: the member's own questions, newest first."""
        async with self.core.db.read() as session:
            rows = await queries.asked_by(session, guild_id, user_id, LISTED)
        return [view_of(q) for q in rows]

    def tags(self, guild_id: int) -> tuple[str, ...]:
        """The tags questions may carry here (for autocomplete)."""
        return self.asking.offered_tags(guild_id)
