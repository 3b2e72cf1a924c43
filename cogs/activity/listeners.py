"""Listens to what members do and records it (ids and times only, never content)."""

from __future__ import annotations

import logging
from collections.abc import Mapping

import discord
from discord.ext import commands

from bot.client import AnyLyceumBot
from bot.services.activity import ActivityService

log = logging.getLogger(__name__)

_INTERACTION_KINDS = {
    discord.InteractionType.application_command: "command",
    discord.InteractionType.component: "button",
    discord.InteractionType.modal_submit: "modal",
}


class Activity(commands.Cog):
    """The interaction log's ears."""

    def __init__(self, bot: AnyLyceumBot, activity: ActivityService) -> None:
        self.bot = bot
        self.activity = activity
        self.bot_user_id = bot.user.id if bot.user else None

    @commands.Cog.listener()
    async def on_guild_join(self, guild: discord.Guild) -> None:
        await self.activity.catch_up_guild(guild.id)

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if message.guild is None or message.author.bot or message.is_system():
            return
        self.activity.message_sent(
            message.guild.id,
            message.author.id,
            message.channel.id,
            message.id,
            message.created_at,
            is_reply=message.reference is not None,
        )

    @commands.Cog.listener()
    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        if payload.guild_id is None or (payload.member is not None and payload.member.bot):
            return
        self.activity.reaction_added(
            payload.guild_id, payload.user_id, payload.channel_id, payload.message_id
        )

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction) -> None:
        kind = _INTERACTION_KINDS.get(interaction.type)
        if kind is None or interaction.guild_id is None or interaction.user.bot:
            return
        data: Mapping[str, object] = interaction.data or {}
        name = str(data.get("name") or data.get("custom_id") or "")
        self.activity.interaction_used(
            interaction.guild_id,
            interaction.user.id,
            interaction.channel_id,
            interaction.id,
            kind,
            name,
            interaction.created_at,
        )

    @commands.Cog.listener()
    async def on_thread_create(self, thread: discord.Thread) -> None:
        owner_id = thread.owner_id
        if owner_id is None or owner_id == self.bot_user_id:
            return
        owner = thread.guild.get_member(owner_id)
        if owner is not None and owner.bot:
            return
        self.activity.thread_created(
            thread.guild.id,
            owner_id,
            thread.parent_id,
            thread.id,
            thread.created_at or discord.utils.snowflake_time(thread.id),
        )

    @commands.Cog.listener()
    async def on_voice_state_update(
        self, member: discord.Member, before: discord.VoiceState, after: discord.VoiceState
    ) -> None:
        if member.bot or after.channel is None or before.channel == after.channel:
            return
        if before.channel is not None:
            return  # moving between channels is not a new visit
        self.activity.voice_joined(member.guild.id, member.id, after.channel.id)

    @commands.Cog.listener()
    async def on_member_join(self, member: discord.Member) -> None:
        if not member.bot:
            await self.activity.member_joined(member.guild.id, member.id)

    @commands.Cog.listener()
    async def on_raw_member_remove(self, payload: discord.RawMemberRemoveEvent) -> None:
        if not payload.user.bot:
            await self.activity.member_left(payload.guild_id, payload.user.id)
