"""Paid membership on Discord: checkout links, moderators' tools, roles back on rejoin.

The billing workers and timers are started by the runtime (`bot/features.py`), not here.
"""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import AnyLyceumBot
from bot.services.billing import BillingService
from cogs.billing._member import MemberBilling
from cogs.billing._moderation import Membership, TierSetup


class Rejoins(commands.Cog):
    """Gives paid roles back to members who return."""

    def __init__(self, billing: BillingService) -> None:
        self.billing = billing

    @commands.Cog.listener()
    async def on_member_join(self, member: discord.Member) -> None:
        if not member.bot:
            await self.billing.member_joined(member.guild.id, member.id)


async def setup(bot: AnyLyceumBot) -> None:
    """Load the billing cogs."""
    billing = bot.services.get(BillingService)
    await bot.add_cog(Rejoins(billing))
    await bot.add_cog(MemberBilling(billing))
    await bot.add_cog(Membership(billing))
    tier_setup = TierSetup(billing)
    await bot.add_cog(tier_setup)
    group = bot.setup_group()
    # The cog registered /tiers at the top level; move it under /setup.
    command = bot.tree.remove_command("tiers")
    if isinstance(command, app_commands.Command):
        group.add_command(command)


async def teardown(bot: AnyLyceumBot) -> None:
    """Take /setup tiers out of the shared group."""
    group = bot.tree.get_command("setup")
    if isinstance(group, app_commands.Group):
        group.remove_command("tiers")
