"""Paid membership on Discord: checkout links, moderators' tools, roles back on rejoin.

The billing workers (webhook events, role outbox) and timers start with this extension.
"""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import AnyLyceumBot
from bot.core.access import SERVER_MANAGERS
from bot.discord_ports import declared_permissions
from bot.services.billing import BillingService
from cogs.billing._member import MemberBilling
from cogs.billing._moderation import Membership, TierSetup


class BillingLifecycle(commands.Cog):
    """Starts and stops the billing workers; gives paid roles back on (re)join."""

    def __init__(self, billing: BillingService) -> None:
        self.billing = billing

    async def cog_load(self) -> None:
        await self.billing.start()

    async def cog_unload(self) -> None:
        await self.billing.stop()

    @commands.Cog.listener()
    async def on_member_join(self, member: discord.Member) -> None:
        if not member.bot:
            await self.billing.member_joined(member.guild.id, member.id)

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        # Joins that happened while the bot was away raised no on_member_join.
        await self.billing.wake_waiting_members()


def _setup_group(bot: AnyLyceumBot) -> app_commands.Group:
    """The shared `/setup` group (other features may add their subcommands to it)."""
    existing = bot.tree.get_command("setup")
    if isinstance(existing, app_commands.Group):
        return existing
    group = app_commands.Group(
        name="setup",
        description="Configure Lyceum for this server.",
        guild_only=True,
        default_permissions=declared_permissions(SERVER_MANAGERS),
    )
    bot.tree.add_command(group)
    return group


async def setup(bot: AnyLyceumBot) -> None:
    """Load the billing cogs."""
    billing = bot.services.billing
    await bot.add_cog(BillingLifecycle(billing))
    await bot.add_cog(MemberBilling(billing))
    await bot.add_cog(Membership(billing))
    tier_setup = TierSetup(billing)
    await bot.add_cog(tier_setup)
    group = _setup_group(bot)
    # The cog registered /tiers at the top level; move it under /setup.
    command = bot.tree.remove_command("tiers")
    if isinstance(command, app_commands.Command):
        group.add_command(command)


async def teardown(bot: AnyLyceumBot) -> None:
    """Take /setup tiers out of the shared group."""
    group = bot.tree.get_command("setup")
    if isinstance(group, app_commands.Group):
        group.remove_command("tiers")
