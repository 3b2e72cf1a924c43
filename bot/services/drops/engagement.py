"""Likes, comments and drip unlocks: logged with the content id, never the text."""

from __future__ import annotations

import logging
from datetime import datetime

from bot.core.kinds import Kind
from bot.core.text import nt
from bot.services.drops.core import Core, drip_unlocks_at
from bot.services.drops.posting import Poster
from storage.drops import queries

log = logging.getLogger(__name__)


class Engagement:
    """Reactions on drop posts (likes), replies in their threads (comments), drip."""

    def __init__(self, core: Core, poster: Poster) -> None:
        self.core = core
        self.poster = poster

    def reacted(
        self, guild_id: int, user_id: int, channel_id: int, message_id: int, emoji: str
    ) -> bool:
        """A reaction on a drop post is a like of its item (once per member and emoji)."""
        content_id = self.poster.posted_messages.get(message_id)
        if content_id is None or channel_id == message_id:
            return False
        return self.core.interaction_log.record(
            guild_id, user_id, Kind.DROP_LIKE, self.core.clock.now(), channel_id=channel_id,
            ref=str(content_id), source_key=f"drop_like:{message_id}:{user_id}:{emoji[:40]}",
        )  # fmt: skip

    def replied(self, guild_id: int, user_id: int, thread_id: int, message_id: int) -> bool:
        """A message in a drop's discussion thread is a comment on its item."""
        content_id = self.poster.posted_messages.get(thread_id)
        if content_id is None:
            return False
        return self.core.interaction_log.record(
            guild_id, user_id, Kind.DROP_COMMENT, self.core.clock.now(), channel_id=thread_id,
            ref=str(content_id), source_key=f"drop_comment:{message_id}",
        )  # fmt: skip

    # -- drip --------------------------------------------------------------------------------

    async def member_joined(self, guild_id: int, user_id: int, at: datetime) -> None:
        """Drip counts from the first join."""
        await self.core.db.write_together(
            lambda session: queries.note_member(session, guild_id, user_id, joined_at=at)
        )

    async def paid_started(self, guild_id: int, user_id: int, at: datetime) -> None:
        """Drip "after paid start" counts from the first payment."""
        async with self.core.db.transaction() as session:
            await queries.note_member(session, guild_id, user_id, paid_since=at)

    async def unlock_due(self) -> dict[int, list[int]]:
        """Record every dripped item that unlocked for a member since the last run and tell
        them once (a DM they can act on: the item is now in /library). user -> content ids."""
        now = self.core.clock.now()
        told: dict[int, list[int]] = {}
        async with self.core.db.read() as session:
            guilds = await queries.guild_ids(session)
        for guild_id in guilds:
            async with self.core.db.transaction() as session:
                items = await queries.dripped_items(session, guild_id)
                fresh: dict[int, list[tuple[int, str]]] = {}
                for member in await queries.members(session, guild_id):
                    done = await queries.unlocked_ids(session, guild_id, member.user_id)
                    joined, paid = await queries.dates(session, guild_id, member.user_id)
                    for item in items:
                        unlocks = drip_unlocks_at(item, joined, paid)
                        if item.id in done or unlocks is None or unlocks > now:
                            continue
                        await queries.add_unlock(
                            session, guild_id, member.user_id, item.id or 0, now
                        )
                        fresh.setdefault(member.user_id, []).append((item.id or 0, item.title))
            for user_id, unlocked in fresh.items():
                titles = ", ".join(f"“{title}”" for _, title in unlocked)
                await self.core.tell_member(
                    guild_id,
                    user_id,
                    nt("New in the library for you: {titles}. Open it with /library.",
                       "New in the library for you: {titles}. Open them with /library.",
                       len(unlocked), titles=titles),
                )  # fmt: skip
                told[user_id] = [content_id for content_id, _ in unlocked]
        return told
