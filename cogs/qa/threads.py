"""The `Threads` port over discord.py: forum posts or threads, tags, reactions, archiving.

Discord refuses changes to an archived thread (50083 "Thread is archived") and members
cannot use app commands in one, so every action here unarchives the thread first.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import discord

from bot.core.ports import OutgoingMessage, TargetGone
from bot.discord_limits import fit_content
from bot.discord_ports import to_view, translated_errors
from bot.services.qa.ports import QaChannel

WEEK_MINUTES: Literal[10080] = 10080  # threads stay out of the archive for a week of quiet


class DiscordThreads:
    """Question threads in the guild's Q&A channel."""

    def __init__(self, client: discord.Client) -> None:
        self._client = client

    def channel(self, channel_id: int) -> QaChannel | None:
        """The Q&A channel from the cache: a forum with its tags, or a text channel."""
        found = self._client.get_channel(channel_id)
        if isinstance(found, discord.ForumChannel):
            return QaChannel(
                True,
                tuple(tag.name for tag in found.available_tags),
                frozenset(tag.name for tag in found.available_tags if tag.moderated),
            )
        if isinstance(found, discord.TextChannel):
            return QaChannel(False)
        return None

    async def open(
        self, channel_id: int, title: str, message: OutgoingMessage, tags: Sequence[str]
    ) -> int:
        """A forum post with these tags, or a public thread with the message in it."""
        found = self._client.get_channel(channel_id)
        content = fit_content(message.content)
        none = discord.AllowedMentions.none()
        async with translated_errors(f"open a question thread in {channel_id}"):
            if isinstance(found, discord.ForumChannel):
                wanted = set(tags)
                applied = [tag for tag in found.available_tags if tag.name in wanted][:5]
                created = await found.create_thread(
                    name=title, content=content or "-", applied_tags=applied,
                    allowed_mentions=none, auto_archive_duration=WEEK_MINUTES,
                )  # fmt: skip
                thread: discord.Thread = created.thread
                return thread.id
            if not isinstance(found, discord.TextChannel):
                raise TargetGone(f"channel {channel_id} is not a forum or text channel")
            thread = await found.create_thread(
                name=title, type=discord.ChannelType.public_thread,
                auto_archive_duration=WEEK_MINUTES,
            )  # fmt: skip
            await thread.send(content=content, allowed_mentions=none)
            return thread.id

    async def _thread(self, thread_id: int) -> discord.Thread:
        """The thread, unarchived when it was archived."""
        found = self._client.get_channel(thread_id)
        if not isinstance(found, discord.Thread):
            fetched = await self._client.fetch_channel(thread_id)
            if not isinstance(fetched, discord.Thread):
                raise TargetGone(f"{thread_id} is not a thread")
            found = fetched
        if found.archived:
            found = await found.edit(archived=False)
        return found

    async def post(
        self,
        thread_id: int,
        message: OutgoingMessage,
        *,
        ping_users: Sequence[int] = (),
        ping_roles: Sequence[int] = (),
    ) -> int:
        """Post in the thread, mentioning only these users and roles."""
        mentions = discord.AllowedMentions(
            everyone=False,
            users=[discord.Object(u) for u in ping_users],
            roles=[discord.Object(r) for r in ping_roles],
        )
        view = to_view(message)
        async with translated_errors(f"post in thread {thread_id}"):
            thread = await self._thread(thread_id)
            content = fit_content(message.content)
            if view is None:
                sent = await thread.send(content=content, allowed_mentions=mentions)
            else:
                sent = await thread.send(content=content, view=view, allowed_mentions=mentions)
        return sent.id

    async def set_tags(self, thread_id: int, tags: Sequence[str]) -> None:
        """Set the post's tags by name (at most 5, Discord's limit)."""
        async with translated_errors(f"tag thread {thread_id}"):
            thread = await self._thread(thread_id)
            forum = thread.parent
            if not isinstance(forum, discord.ForumChannel):
                return
            wanted = list(dict.fromkeys(tags))
            by_name = {tag.name: tag for tag in forum.available_tags}
            applied = [by_name[name] for name in wanted if name in by_name]
            if len(applied) > 5:  # keep the last one (the solved tag) within the five
                applied = [*applied[:4], applied[-1]]
            await thread.edit(applied_tags=applied)

    async def react(self, thread_id: int, message_id: int, emoji: str) -> None:
        """React to a message of the thread."""
        async with translated_errors(f"react in thread {thread_id}"):
            thread = await self._thread(thread_id)
            await thread.get_partial_message(message_id).add_reaction(emoji)

    async def archive(self, thread_id: int) -> None:
        """Archive the thread."""
        async with translated_errors(f"archive thread {thread_id}"):
            thread = await self._thread(thread_id)
            await thread.edit(archived=True)

    async def unarchive(self, thread_id: int) -> None:
        """Unarchive the thread when it is archived."""
        async with translated_errors(f"unarchive thread {thread_id}"):
            await self._thread(thread_id)
