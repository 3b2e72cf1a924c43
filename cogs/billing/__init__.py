"""Paid membership on Discord: checkout links and the moderators' tools.

The billing workers and timers are started by the runtime, and roles come back on rejoin
through the `MemberJoined` event (`bot/features.py`), not here.
"""

from __future__ import annotations

from discord import app_commands

from bot.client import AnyLyceumBot
from bot.services.billing import BillingService
from cogs.billing.member import MemberBilling
from cogs.billing.moderation import Membership, TierSetup


async def setup(bot: AnyLyceumBot) -> None:
    """Load the billing cogs."""
    billing = bot.services.get(BillingService)
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
