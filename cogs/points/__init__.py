"""Points on Discord: /points, /leaderboard, /profile leaderboard and the re-score button.

`/profile` belongs to onboarding; the `leaderboard` subgroup is added to that group here
(or to a `/profile` of our own when onboarding is not loaded), so onboarding's code does
not change.
"""

from __future__ import annotations

from discord import app_commands

from bot.client import AnyLyceumBot
from bot.services.points import PointsService
from cogs.points.commands import BoardVisibility, Leaderboard, Points
from cogs.points.components import ApplyRescore

PROFILE = "profile"
_OWN_PROFILE = "lyceum_points_owns_profile"


async def setup(bot: AnyLyceumBot) -> None:
    """Load the cogs, the Apply button and the /profile leaderboard subgroup."""
    service = bot.services.get(PointsService)
    bot.add_dynamic_items(ApplyRescore)
    await bot.add_cog(Points(service))
    await bot.add_cog(Leaderboard(service))
    profile = bot.tree.get_command(PROFILE)
    if not isinstance(profile, app_commands.Group):
        profile = app_commands.Group(
            name=PROFILE, description="Your profile in this server.", guild_only=True
        )
        bot.tree.add_command(profile)
        setattr(bot, _OWN_PROFILE, True)
    profile.add_command(BoardVisibility(service))


async def teardown(bot: AnyLyceumBot) -> None:
    """Take the subgroup (and our own /profile, if we made it) away; forget the button."""
    bot.remove_dynamic_items(ApplyRescore)
    if getattr(bot, _OWN_PROFILE, False):
        bot.tree.remove_command(PROFILE)
        setattr(bot, _OWN_PROFILE, False)
        return
    profile = bot.tree.get_command(PROFILE)
    if isinstance(profile, app_commands.Group):
        profile.remove_command("leaderboard")
