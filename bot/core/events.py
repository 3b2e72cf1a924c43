"""Domain events, published after commit, and the small in-process bus that carries them.

Features talk through events instead of importing each other: Q&A publishes
`AnswerAccepted`; points subscribes to it; Q&A never learns points exists.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DomainEvent:
    """Something that happened, already committed."""

    guild_id: int
    at: datetime


@dataclass(frozen=True)
class MemberJoined(DomainEvent):
    """A member joined (or came back to) the guild."""

    user_id: int


@dataclass(frozen=True)
class MemberLeft(DomainEvent):
    """A member left the guild."""

    user_id: int


@dataclass(frozen=True)
class MemberOnboarded(DomainEvent):
    """A member finished onboarding (accepted the rules)."""

    user_id: int


@dataclass(frozen=True)
class PaidAccessChanged(DomainEvent):
    """A member's paid access to a tier started or ended."""

    user_id: int
    tier_key: str
    active: bool


@dataclass(frozen=True)
class QuestionAsked(DomainEvent):
    """A member asked a question."""

    question_id: int
    asker_id: int


@dataclass(frozen=True)
class AnswerPosted(DomainEvent):
    """A member answered a question."""

    question_id: int
    answerer_id: int
    message_id: int


@dataclass(frozen=True)
class AnswerAccepted(DomainEvent):
    """The asker (or a moderator) marked an answer as the solution."""

    question_id: int
    asker_id: int
    answerer_id: int
    message_id: int


@dataclass(frozen=True)
class AnswerUnaccepted(DomainEvent):
    """An accepted answer was taken back (points given for it are taken back too)."""

    question_id: int
    answerer_id: int
    message_id: int


@dataclass(frozen=True)
class AnswerDeleted(DomainEvent):
    """A reply that counted as an answer was deleted (points for it are taken back)."""

    question_id: int
    answerer_id: int
    message_id: int


@dataclass(frozen=True)
class QuestionClosed(DomainEvent):
    """A question left the open states: solved, duplicate, inactive, asker_left, ..."""

    question_id: int
    asker_id: int
    outcome: str


@dataclass(frozen=True)
class ContentOpened(DomainEvent):
    """A member opened a content drop (or a library item: drop_id 0)."""

    user_id: int
    drop_id: int
    content_id: int = 0


E = TypeVar("E", bound=DomainEvent)
Handler = Callable[[Any], Awaitable[None]]


class EventBus:
    """Delivers each published event to its subscribers, in subscription order.

    A failing subscriber is logged and does not stop the others: the event is committed
    already, and each subscriber owns its own repair (catch-up on restart).
    """

    def __init__(self) -> None:
        self._handlers: defaultdict[type[DomainEvent], list[Handler]] = defaultdict(list)

    def subscribe(self, event_type: type[E], handler: Callable[[E], Awaitable[None]]) -> None:
        """Call `handler` for every event of `event_type` (subclasses included)."""
        self._handlers[event_type].append(handler)

    async def publish(self, event: DomainEvent) -> None:
        """Hand `event` to every subscriber of its type or a base type."""
        for event_type in type(event).__mro__:
            for handler in self._handlers.get(event_type, ()):
                try:
                    await handler(event)
                except Exception:
                    log.exception("subscriber %r failed on %r", handler, event)
