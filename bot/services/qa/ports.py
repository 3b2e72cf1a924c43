"""What Q&A asks of Discord beyond posting: forum posts and threads, tags, reactions.

The cog's adapter (`cogs/qa/threads.py`) implements it with discord.py; every call on a
thread unarchives it first when it is archived (Discord refuses changes to archived threads).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.core.ports import OutgoingMessage


@dataclass(frozen=True)
class QaChannel:
    """The Q&A channel as Discord has it: a forum (with its tags) or a text channel."""

    forum: bool
    tags: tuple[str, ...] = ()
    moderated: frozenset[str] = frozenset()


class Threads(Protocol):
    """Question threads on Discord."""

    def channel(self, channel_id: int) -> QaChannel | None:
        """The channel, or None when the bot cannot see it."""
        ...

    async def open(
        self, channel_id: int, title: str, message: OutgoingMessage, tags: Sequence[str]
    ) -> int:
        """Start a forum post (with these tags) or a thread; return the thread's id."""
        ...

    async def post(
        self,
        thread_id: int,
        message: OutgoingMessage,
        *,
        ping_users: Sequence[int] = (),
        ping_roles: Sequence[int] = (),
    ) -> int:
        """Post in the thread, mentioning only these users and roles; return the message id."""
        ...

    async def set_tags(self, thread_id: int, tags: Sequence[str]) -> None:
        """Set the forum post's tags (names the forum does not have are left out)."""
        ...

    async def react(self, thread_id: int, message_id: int, emoji: str) -> None:
        """React to a message of the thread."""
        ...

    async def archive(self, thread_id: int) -> None:
        """Archive the thread."""
        ...

    async def unarchive(self, thread_id: int) -> None:
        """Unarchive the thread when it is archived."""
        ...


class NoThreads:
    """Threads before the bot is attached: nothing is seen, nothing can be done."""

    def channel(self, channel_id: int) -> QaChannel | None:
        """Nothing is seen."""
        return None

    async def open(
        self, channel_id: int, title: str, message: OutgoingMessage, tags: Sequence[str]
    ) -> int:
        """Refused."""
        raise RuntimeError("Q&A threads are not attached to Discord")

    async def post(
        self,
        thread_id: int,
        message: OutgoingMessage,
        *,
        ping_users: Sequence[int] = (),
        ping_roles: Sequence[int] = (),
    ) -> int:
        """Refused."""
        raise RuntimeError("Q&A threads are not attached to Discord")

    async def set_tags(self, thread_id: int, tags: Sequence[str]) -> None:
        """Nothing to do."""

    async def react(self, thread_id: int, message_id: int, emoji: str) -> None:
        """Nothing to do."""

    async def archive(self, thread_id: int) -> None:
        """Nothing to do."""

    async def unarchive(self, thread_id: int) -> None:
        """Nothing to do."""
