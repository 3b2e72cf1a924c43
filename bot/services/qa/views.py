"""What the Q&A service answers with: plain values the cogs render."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

MAX_POST_TAGS = 5  # Discord's limit of tags on one forum post
ASK_TAGS = MAX_POST_TAGS - 1  # one place stays free for the solved tag


def jump_link(guild_id: int, channel_id: int, message_id: int | None = None) -> str:
    """Discord's link to a channel, thread or message."""
    tail = f"/{message_id}" if message_id else ""
    return f"https://discord.com/channels/{guild_id}/{channel_id}{tail}"


@dataclass(frozen=True)
class QuestionView:
    """A question as members see it listed."""

    id: int
    guild_id: int
    thread_id: int
    asker_id: int
    title: str
    tags: tuple[str, ...]
    status: str
    close_reason: str | None
    created_at: datetime
    helped_count: int = 0

    @property
    def link(self) -> str:
        """The thread's link."""
        return jump_link(self.guild_id, self.thread_id)


@dataclass(frozen=True)
class AskForm:
    """The /ask modal: the tags offered and what to fill in again."""

    tags: tuple[str, ...]
    max_tags: int
    title: str = ""
    details: str = ""
    chosen: tuple[str, ...] = ()
    draft_id: int = 0


@dataclass(frozen=True)
class Refused:
    """The draft did not pass the quality gates; each reason says why."""

    draft_id: int
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Candidate:
    """An earlier question that may already answer the draft."""

    question: QuestionView
    matched: tuple[str, ...]
    score: float


@dataclass(frozen=True)
class Duplicates:
    """Likely duplicates, shown before anything is posted."""

    draft_id: int
    candidates: tuple[Candidate, ...]


@dataclass(frozen=True)
class Posted:
    """The question is up in its thread."""

    question: QuestionView


AskOutcome = Refused | Duplicates | Posted


@dataclass(frozen=True)
class MarkOutcome:
    """What "Mark as answer" did: accepted, already so, or waiting for the asker."""

    state: str  # accepted | already | pending
    question: QuestionView
    answer_link: str
    answerer_id: int
    mark_id: int = 0
