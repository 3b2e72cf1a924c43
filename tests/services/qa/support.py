"""The Q&A service against the real database, with Discord's threads as a fake."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from bot.core.access import Caller, Permission
from bot.core.clock import FakeClock
from bot.core.events import DomainEvent, EventBus
from bot.core.ports import OutgoingMessage
from bot.services.qa.duplicates import Reranker
from bot.services.qa.ports import QaChannel
from bot.services.qa.rerank import load_reranker
from bot.services.qa.service import QaService
from bot.services.qa.settings import QA_SETTINGS, QaSettings
from bot.services.qa.views import Posted
from bot.settings import GuildConfig, Settings
from storage.database import Database
from storage.interaction_log import InteractionLog

E = TypeVar("E", bound=DomainEvent)
GUILD = 1001
FORUM = 2002
ASKER = Caller(11)
HELPER = Caller(12)
OTHER = Caller(13)
MOD = Caller(9, permissions=Permission.MANAGE_ROLES)
TITLE = "Pandas merge drops rows with NaN keys"
DETAILS = "I merge two frames on a key column and rows whose key is NaN disappear."


@dataclass
class FakeThreads:
    """Threads in memory: what was opened, posted, tagged and reacted."""

    forum: QaChannel = field(default_factory=lambda: QaChannel(True, ("python", "solved")))
    opened: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    posts: list[tuple[int, str, tuple[int, ...], tuple[int, ...]]] = field(default_factory=list)
    tags: dict[int, list[str]] = field(default_factory=dict)
    reactions: list[tuple[int, str]] = field(default_factory=list)
    archived: set[int] = field(default_factory=set)
    next_id: int = 5000

    def channel(self, channel_id: int) -> QaChannel | None:
        return self.forum if channel_id == FORUM else None

    async def open(
        self, channel_id: int, title: str, message: OutgoingMessage, tags: Sequence[str]
    ) -> int:
        self.next_id += 1
        self.opened.append((title, tuple(tags)))
        return self.next_id

    async def post(
        self,
        thread_id: int,
        message: OutgoingMessage,
        *,
        ping_users: Sequence[int] = (),
        ping_roles: Sequence[int] = (),
    ) -> int:
        self.next_id += 1
        self.posts.append((thread_id, message.content, tuple(ping_users), tuple(ping_roles)))
        return self.next_id

    async def set_tags(self, thread_id: int, tags: Sequence[str]) -> None:
        self.tags[thread_id] = list(tags)

    async def react(self, thread_id: int, message_id: int, emoji: str) -> None:
        self.reactions.append((message_id, emoji))

    async def archive(self, thread_id: int) -> None:
        self.archived.add(thread_id)

    async def unarchive(self, thread_id: int) -> None:
        self.archived.discard(thread_id)


class Qa:
    """The service, its fake threads, and every event it published."""

    def __init__(
        self,
        db: Database,
        clock: FakeClock,
        qa: QaSettings | None = None,
        load_reranker: Callable[[], Reranker | None] = load_reranker,
    ) -> None:
        self.threads = FakeThreads()
        self.bus = EventBus()
        self.events: list[DomainEvent] = []
        guild = GuildConfig(
            GUILD, qa_channel_id=FORUM, sections={QA_SETTINGS.name: qa or QaSettings()}
        )
        self.service = QaService(
            Settings(guilds=(guild,)), db, clock, InteractionLog(db), self.bus,
            load_reranker=load_reranker,
        )  # fmt: skip
        self.service.attach(self.threads)
        self.clock = clock

        async def remember(event: DomainEvent) -> None:
            self.events.append(event)

        self.bus.subscribe(DomainEvent, remember)

    def published(self, kind: type[E]) -> list[E]:
        """The events of one type, in order."""
        return [e for e in self.events if isinstance(e, kind)]

    async def posted(self, title: str = TITLE, details: str = DETAILS) -> Posted:
        """A question by ASKER, posted (past any duplicates)."""
        outcome = await self.service.submit(GUILD, ASKER.user_id, title, details, ["python"])
        if not isinstance(outcome, Posted):
            draft = getattr(outcome, "draft_id")  # noqa: B009 - Refused or Duplicates
            outcome = await self.service.post_anyway(GUILD, ASKER.user_id, draft)
        return outcome
