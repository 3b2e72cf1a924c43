"""Plain results of the drops service, for the cogs to render (no rules here)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from bot.core.ports import OutgoingMessage

TITLE_MAX = 200
SUMMARY_MAX = 500
BODY_MAX = 3500
LINK_MAX = 500
TAGS_MAX = 10
TAG_MAX = 30
REASON_MAX = 500
PAGE_SIZE = 5


@dataclass(frozen=True)
class ItemInput:
    """What a moderator or author typed into the content modal."""

    title: str
    summary: str = ""
    body: str = ""
    link: str = ""
    access: str = "free"  # free | tier:<key> | level:<n>
    tags: str = ""  # comma separated
    kind: str = "post"  # post | event
    drip_days: int | None = None
    drip_from: str = "join"
    unlock: str = ""  # a time as /drop schedule reads it; empty: no date


@dataclass(frozen=True)
class ItemView:
    """A library item as moderators and members see its card."""

    id: int
    title: str
    summary: str
    access: str  # free | tier | level
    tier_key: str | None
    level: int | None
    tags: tuple[str, ...]
    kind: str
    status: str
    created_by: int
    link: str | None = None
    drip_days: int | None = None
    unlock_at: datetime | None = None
    review_reason: str = ""


@dataclass(frozen=True)
class LibraryEntry:
    """One line of /library: the item and whether this member may open it."""

    item: ItemView
    unlocked: bool
    opened: bool


@dataclass(frozen=True)
class LibraryPage:
    """One page of /library."""

    entries: tuple[LibraryEntry, ...]
    page: int
    pages: int
    total: int


@dataclass(frozen=True)
class Opened:
    """What a member gets from Open: the whole item, or the reason it is locked."""

    item: ItemView
    body: str = ""
    allowed: bool = True
    # Locked: the tier to subscribe to, or the level to reach, or when it unlocks.
    tier_key: str | None = None
    level: int | None = None
    unlocks_at: datetime | None = None
    drop_id: int = 0


@dataclass(frozen=True)
class DropPreview:
    """A drop to confirm: the item, the instant(s) it resolved to, where, how often."""

    content_id: int
    title: str
    channel_id: int
    instants: tuple[datetime, ...]
    repeat: str
    timezone: str
    typed: str
    location: str | None = None  # a live session at an external place


@dataclass(frozen=True)
class DropView:
    """A drop as /drop list shows it."""

    id: int
    content_id: int
    title: str
    channel_id: int
    scheduled_at: datetime
    repeat: str
    status: str
    message_id: int | None = None
    attempts: int = 0
    last_error: str | None = None


@dataclass(frozen=True)
class RecentPost:
    """A message recently posted in a channel, as the restart check reads it."""

    id: int
    author_is_bot: bool
    custom_ids: tuple[str, ...]


@dataclass(frozen=True)
class RunSummary:
    """What one run of the timer did."""

    posted: list[int] = field(default_factory=list)
    retried: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    missed: list[int] = field(default_factory=list)
    recovered: list[int] = field(default_factory=list)


class DropChannel(Protocol):
    """What drops ask of Discord beyond posting: nonce, history, threads, events, voice."""

    async def post(self, channel_id: int, message: OutgoingMessage, nonce: str) -> int:
        """Post with `nonce` + `enforce_nonce`; a repeat within minutes returns the same id."""
        ...

    async def recent(self, channel_id: int, limit: int) -> list[RecentPost]:
        """The channel's newest messages, newest first."""
        ...

    async def start_thread(self, channel_id: int, message_id: int, name: str) -> int:
        """A discussion thread on the message; its id."""
        ...

    async def create_event(
        self, guild_id: int, channel_id: int, name: str, description: str, start: datetime,
        end: datetime, location: str | None = None,
    ) -> int:  # fmt: skip
        """A Discord scheduled event in a voice/stage channel, or at `location`; its id."""
        ...

    async def event_interested(self, guild_id: int, event_id: int) -> list[int]:
        """Members who marked interest in the event."""
        ...

    async def voice_members(self, guild_id: int, channel_id: int) -> list[int]:
        """Members in a voice/stage channel now."""
        ...


class NotConnected:
    """The drop channel before the Discord side is loaded: every call fails softly."""

    async def post(self, channel_id: int, message: OutgoingMessage, nonce: str) -> int:
        """Refuse: not connected."""
        from bot.core.ports import TemporarilyUnavailable

        raise TemporarilyUnavailable("drops: Discord is not connected yet")

    async def recent(self, channel_id: int, limit: int) -> list[RecentPost]:
        """Nothing known."""
        return []

    async def start_thread(self, channel_id: int, message_id: int, name: str) -> int:
        """No thread."""
        return 0

    async def create_event(
        self, guild_id: int, channel_id: int, name: str, description: str, start: datetime,
        end: datetime, location: str | None = None,
    ) -> int:  # fmt: skip
        """No event."""
        return 0

    async def event_interested(self, guild_id: int, event_id: int) -> list[int]:
        """Nobody."""
        return []

    async def voice_members(self, guild_id: int, channel_id: int) -> list[int]:
        """Nobody."""
        return []
