"""Onboarding on Discord: the gate button, the interests menu, /start, /profile, /setup."""

from __future__ import annotations

from discord import app_commands

from bot.client import AnyLyceumBot
from bot.services.onboarding import OnboardingService, OnboardingSetup, Presence
from cogs.onboarding.commands import MemberOnboarding, OnboardingSetupCog
from cogs.onboarding.components import AgreeButton, InterestsSelect
from cogs.onboarding.invites import DiscordInviteCounter, InviteEvents

SETUP_COMMANDS = ("onboarding", "topic", "invite", "show")


class DiscordMemberLookup:
    """A member's screening state from the bot's member cache."""

    def __init__(self, bot: AnyLyceumBot) -> None:
        self._bot = bot

    def presence(self, guild_id: int, user_id: int) -> Presence | None:
        """Pending and flags, or None when the member is not cached."""
        guild = self._bot.get_guild(guild_id)
        member = guild.get_member(user_id) if guild else None
        if member is None:
            return None
        return Presence(pending=member.pending, flags=member.flags.value)


async def setup(bot: AnyLyceumBot) -> None:
    """Load the cogs, the persistent components and the /setup subcommands."""
    service = bot.services.get(OnboardingService)
    service.lookup = DiscordMemberLookup(bot)
    service.invites.counter = DiscordInviteCounter(bot)
    bot.add_dynamic_items(AgreeButton, InterestsSelect)
    await bot.add_cog(MemberOnboarding(service))
    await bot.add_cog(OnboardingSetupCog(OnboardingSetup(service)))
    await bot.add_cog(InviteEvents(service.invites))
    group = bot.setup_group()
    for name in SETUP_COMMANDS:
        command = bot.tree.remove_command(name)
        if isinstance(command, app_commands.Command):
            group.add_command(command)


async def teardown(bot: AnyLyceumBot) -> None:
    """Take the /setup subcommands out of the shared group; forget the components."""
    bot.remove_dynamic_items(AgreeButton, InterestsSelect)
    group = bot.tree.get_command("setup")
    if isinstance(group, app_commands.Group):
        for name in SETUP_COMMANDS:
            group.remove_command(name)
