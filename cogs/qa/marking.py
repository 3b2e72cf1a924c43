""" "Mark as answer", the asker's confirmation buttons, and what happens in question threads."""

from __future__ import annotations

import re
from typing import Any

import discord
from discord.ext import commands

from bot.core.ids import custom_id, int_value, pattern
from bot.core.text import t
from bot.discord_limits import respond
from bot.discord_ports import caller_of
from bot.error_handler import answer_failures
from bot.services.qa.service import QaService
from cogs.qa.render import mark_text

FEATURE = "qa"


def _service(interaction: discord.Interaction) -> QaService:
    return interaction.client.services.get(QaService)  # type: ignore[attr-defined, no-any-return]


async def mark_as_answer(interaction: discord.Interaction, message: discord.Message) -> None:
    """The message context-menu command "Mark as answer"."""
    if interaction.guild_id is None:
        await respond(interaction, t("This only works inside the server."))
        return
    await interaction.response.defer(ephemeral=True, thinking=True)
    outcome = await _service(interaction).mark(
        interaction.guild_id, caller_of(interaction), message.channel.id, message.id,
        message.author.id, message.author.bot, message.content,
    )  # fmt: skip
    await respond(interaction, mark_text(outcome))


async def _confirm(interaction: discord.Interaction, mark_id: int, yes: bool) -> None:
    assert interaction.guild_id is not None
    await interaction.response.defer(ephemeral=True, thinking=True)
    outcome = await _service(interaction).confirm(
        interaction.guild_id, caller_of(interaction), mark_id, yes
    )
    await respond(interaction, mark_text(outcome))


def _button(action: str, mark_id: int, label: str, yes: bool) -> discord.ui.Button[Any]:
    style = discord.ButtonStyle.success if yes else discord.ButtonStyle.secondary
    return discord.ui.Button(
        label=label, style=style, custom_id=custom_id(FEATURE, action, mark_id)
    )


class ConfirmButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=pattern(FEATURE, "confirm")
):
    """The asker's "Yes, mark it" on someone else's mark."""

    def __init__(self, mark_id: int, label: str = "Yes, mark it") -> None:
        super().__init__(_button("confirm", mark_id, label, True))
        self.mark_id = mark_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> ConfirmButton:
        return cls(int_value(match["value"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await answer_failures(interaction, _confirm(interaction, self.mark_id, True))


class DeclineButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=pattern(FEATURE, "decline")
):
    """The asker's "No" on someone else's mark."""

    def __init__(self, mark_id: int, label: str = "No") -> None:
        super().__init__(_button("decline", mark_id, label, False))
        self.mark_id = mark_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> DeclineButton:
        return cls(int_value(match["value"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await answer_failures(interaction, _confirm(interaction, self.mark_id, False))


COMPONENTS = (ConfirmButton, DeclineButton)


class ThreadWatch(commands.Cog):
    """Replies, deletions and departures that move questions along."""

    def __init__(self, service: QaService, client: discord.Client) -> None:
        self.service = service
        self.client = client

    def _in_qa(self, channel: object, guild_id: int) -> bool:
        parent = getattr(channel, "parent_id", None)
        return isinstance(channel, discord.Thread) and parent == self.service.channel_id(guild_id)

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if message.guild is None or message.author.bot:
            return
        if self._in_qa(message.channel, message.guild.id):
            await self.service.message_posted(
                message.guild.id, message.channel.id, message.id, message.author.id
            )

    @commands.Cog.listener()
    async def on_raw_message_delete(self, payload: discord.RawMessageDeleteEvent) -> None:
        if payload.guild_id is None:
            return
        channel = self.client.get_channel(payload.channel_id)  # None: not cached, ask the DB
        if channel is None or self._in_qa(channel, payload.guild_id):
            await self.service.message_deleted(
                payload.guild_id, payload.channel_id, payload.message_id
            )

    @commands.Cog.listener()
    async def on_raw_thread_delete(self, payload: discord.RawThreadDeleteEvent) -> None:
        if payload.parent_id == self.service.channel_id(payload.guild_id):
            await self.service.thread_deleted(payload.guild_id, payload.thread_id)
