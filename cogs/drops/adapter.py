"""The Discord side of drops: posting with a nonce, channel history, threads, events."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

import discord

from bot.core.ports import OutgoingMessage
from bot.discord_limits import NO_MENTIONS, fit_content, fit_embeds
from bot.discord_ports import to_embed, to_view, translated_errors
from bot.services.drops import RecentPost

STAGE, VOICE, EXTERNAL = 1, 2, 3  # scheduled event entity types


class DiscordDropChannel:
    """`DropChannel` over discord.py (partial objects: no cache needed)."""

    def __init__(self, client: discord.Client) -> None:
        self._client = client

    async def post(self, channel_id: int, message: OutgoingMessage, nonce: str) -> int:
        """Post with `nonce`; discord.py sends `enforce_nonce` with it."""
        channel = self._client.get_partial_messageable(channel_id)
        embeds = fit_embeds(to_embed(card) for card in message.cards)
        view = to_view(message)
        if view is not None:
            view.stop()  # the Open button is a DynamicItem: no view per message to keep
        async with translated_errors(f"post drop to channel {channel_id}"):
            if view is None:
                sent = await channel.send(
                    content=fit_content(message.content), embeds=embeds, nonce=nonce,
                    allowed_mentions=NO_MENTIONS,
                )  # fmt: skip
            else:
                sent = await channel.send(
                    content=fit_content(message.content), embeds=embeds, view=view, nonce=nonce,
                    allowed_mentions=NO_MENTIONS,
                )  # fmt: skip
        return sent.id

    async def recent(self, channel_id: int, limit: int) -> list[RecentPost]:
        """The newest messages, newest first, with their component custom ids."""
        me = self._client.user.id if self._client.user else 0
        async with translated_errors(f"read channel {channel_id}"):
            data = await self._client.http.logs_from(channel_id, limit)
        found = []
        for raw in cast(list[dict[str, Any]], data):
            ids = tuple(
                str(c.get("custom_id"))
                for row in raw.get("components", [])
                for c in row.get("components", [])
                if c.get("custom_id")
            )
            found.append(RecentPost(int(raw["id"]), int(raw["author"]["id"]) == me, ids))
        return found

    async def start_thread(self, channel_id: int, message_id: int, name: str) -> int:
        """A public thread on the drop post."""
        async with translated_errors(f"thread on message {message_id}"):
            data = await self._client.http.start_thread_with_message(
                channel_id, message_id, name=name or "Discussion", auto_archive_duration=10080
            )
        return int(data["id"])

    async def create_event(
        self, guild_id: int, channel_id: int, name: str, description: str, start: datetime,
        end: datetime, location: str | None = None,
    ) -> int:  # fmt: skip
        """A scheduled event in a voice or stage channel, or at an external place (then its
        location and end are required and there is no channel), from `start` to `end`."""
        payload: dict[str, Any] = {
            "name": name[:100],
            "description": description[:1000],
            "scheduled_start_time": start.isoformat(),
            "scheduled_end_time": end.isoformat(),
            "privacy_level": 2,
        }
        if location:
            payload["entity_type"] = EXTERNAL
            payload["entity_metadata"] = {"location": location[:100]}
        else:
            channel = self._client.get_channel(channel_id)
            payload["entity_type"] = STAGE if isinstance(channel, discord.StageChannel) else VOICE
            payload["channel_id"] = str(channel_id)
        async with translated_errors(f"scheduled event in guild {guild_id}"):
            data = await self._client.http.create_guild_scheduled_event(guild_id, **payload)
        return int(data["id"])

    async def event_interested(self, guild_id: int, event_id: int) -> list[int]:
        """Members who marked interest."""
        async with translated_errors(f"users of event {event_id}"):
            data = await self._client.http.get_scheduled_event_users(
                guild_id, event_id, limit=100, with_member=False
            )
        return [int(entry["user"]["id"]) for entry in data]

    async def voice_members(self, guild_id: int, channel_id: int) -> list[int]:
        """Members in the voice channel now (from the gateway's voice states)."""
        guild = self._client.get_guild(guild_id)
        channel = guild.get_channel(channel_id) if guild else None
        if not isinstance(channel, discord.VoiceChannel | discord.StageChannel):
            return []
        return [member.id for member in channel.members if not member.bot]
