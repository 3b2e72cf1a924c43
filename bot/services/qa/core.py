"""What every part of Q&A shares: its dependencies, the guild's settings, closing a question."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.core.access import MODERATORS, AccessPolicy, Caller
from bot.core.clock import Clock
from bot.core.errors import InvalidInput, NotFound
from bot.core.events import DomainEvent, EventBus, QuestionClosed
from bot.core.ports import OutgoingMessage, PortError
from bot.core.text import t
from bot.services.qa.ports import NoThreads, Threads
from bot.services.qa.settings import QA_SETTINGS, QaSettings
from bot.services.qa.views import QuestionView
from bot.settings import Settings
from storage.database import Database, Session
from storage.interaction_log import InteractionLog
from storage.qa import queries
from storage.qa.models import CLOSED, Question

log = logging.getLogger(__name__)


def view_of(question: Question) -> QuestionView:
    """The plain view of a stored question."""
    assert question.id is not None
    return QuestionView(
        id=question.id,
        guild_id=question.guild_id,
        thread_id=question.thread_id,
        asker_id=question.asker_id,
        title=question.title,
        tags=tuple(question.tags),
        status=question.status,
        close_reason=question.close_reason,
        created_at=question.created_at,
        helped_count=question.helped_count,
    )


@dataclass
class QaCore:
    """The dependencies of every Q&A part, and the few rules they share."""

    settings: Settings
    db: Database
    clock: Clock
    interaction_log: InteractionLog
    bus: EventBus
    threads: Threads = field(default_factory=NoThreads)

    def __post_init__(self) -> None:
        self.policy = AccessPolicy(self.settings.guild)

    def qa(self, guild_id: int) -> QaSettings:
        """The guild's Q&A settings (defaults for an unconfigured guild)."""
        guild = self.settings.guild(guild_id)
        return guild.section(QA_SETTINGS) if guild else QaSettings()

    def channel_id(self, guild_id: int) -> int:
        """The guild's Q&A channel (0: none configured)."""
        guild = self.settings.guild(guild_id)
        return guild.qa_channel_id if guild else 0

    def is_moderator(self, guild_id: int, caller: Caller) -> bool:
        """True when the caller passes the moderators' gate here."""
        return self.policy.allows(MODERATORS, guild_id, caller)

    def require_moderator(self, guild_id: int, caller: Caller) -> None:
        """Raise NotAllowed unless the caller is a moderator here."""
        self.policy.require(MODERATORS, guild_id, caller)

    async def question_of_thread(self, session: Session, guild_id: int, thread_id: int) -> Question:
        """The question of a thread; NotFound when the thread is not a question."""
        question = await queries.question_in_thread(session, thread_id)
        if question is None or question.guild_id != guild_id:
            raise NotFound(t("This is not a question thread."))
        return question

    async def question_by_id(self, session: Session, guild_id: int, question_id: int) -> Question:
        """A question of this guild by id; NotFound otherwise."""
        question = await queries.question(session, question_id)
        if question is None or question.guild_id != guild_id:
            raise NotFound(t("There is no question #{id}.", id=question_id))
        return question

    def close_in(
        self, question: Question, reason: str, *, duplicate_of: int | None = None
    ) -> QuestionClosed:
        """Close the question (in the caller's transaction); the event to publish after commit."""
        if question.status == CLOSED:
            raise InvalidInput(t("This question is already closed."))
        now = self.clock.now()
        question.status = CLOSED
        question.close_reason = reason
        question.closed_at = now
        question.duplicate_of_id = duplicate_of
        assert question.id is not None
        return QuestionClosed(
            question.guild_id, now, question_id=question.id, asker_id=question.asker_id,
            outcome=reason,
        )  # fmt: skip

    async def publish(self, events: Sequence[DomainEvent]) -> None:
        """Publish events (after commit), in order."""
        for event in events:
            await self.bus.publish(event)

    async def say(
        self,
        thread_id: int,
        content: str,
        *,
        ping_users: Sequence[int] = (),
        ping_roles: Sequence[int] = (),
    ) -> int:
        """Post in a question's thread; 0 when Discord refused (logged)."""
        try:
            return await self.threads.post(
                thread_id,
                OutgoingMessage(content=content),
                ping_users=ping_users,
                ping_roles=ping_roles,
            )
        except (PortError, RuntimeError) as error:
            log.warning("Q&A post in thread %s failed: %s", thread_id, error)
            return 0

    async def archive(self, thread_id: int) -> None:
        """Archive a thread; a failure is logged."""
        try:
            await self.threads.archive(thread_id)
        except PortError as error:
            log.warning("archiving thread %s failed: %s", thread_id, error)
