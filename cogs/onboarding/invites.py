"""Invite counts from Discord (with Manage Server) and the invite events that keep them."""

from __future__ import annotations

import logging

import discord
from discord.ext import commands

from bot.client import AnyLyceumBot
from bot.core.ports import PortError
from bot.discord_ports import translated_errors
from bot.services.onboarding.invites import InviteTracker

log = logging.getLogger(__name__)


class DiscordInviteCounter:
    """Reads a guild's invites and the vanity URL with their use counts."""

    def __init__(self, bot: AnyLyceumBot) -> None:
        self._bot = bot

    def guild_ids(self) -> list[int]:
        """The guilds the bot is in."""
        return [guild.id for guild in self._bot.guilds]

    async def counts(self, guild_id: int) -> dict[str, int] | None:
        """Code → uses; None without Manage Server (Discord would refuse) or on failure."""
        guild = self._bot.get_guild(guild_id)
        if guild is None or not guild.me.guild_permissions.manage_guild:
            return None
        try:
            async with translated_errors(f"read the invites of guild {guild_id}"):
                found = {
                    str(data["code"]): int(data.get("uses") or 0)
                    for data in await self._bot.http.invites_from(guild_id)
                }
                if "VANITY_URL" in guild.features:
                    vanity = await self._bot.http.get_vanity_code(guild_id)
                    if vanity.get("code"):
                        found[str(vanity["code"])] = int(vanity.get("uses") or 0)
        except PortError as error:
            log.warning("guild %s: invite counts unavailable: %s", guild_id, error)
            return None
        return found


class InviteEvents(commands.Cog):
    """INVITE_CREATE / INVITE_DELETE keep the tracker's snapshot current."""

    def __init__(self, tracker: InviteTracker) -> None:
        self.tracker = tracker

    @commands.Cog.listener()
    async def on_invite_create(self, invite: discord.Invite) -> None:
        if invite.guild is not None:
            await self.tracker.invite_created(invite.guild.id, invite.code, invite.uses or 0)

    @commands.Cog.listener()
    async def on_invite_delete(self, invite: discord.Invite) -> None:
        if invite.guild is not None:
            await self.tracker.invite_deleted(invite.guild.id, invite.code)
