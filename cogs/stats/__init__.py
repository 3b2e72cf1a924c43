"""The owners' /stats commands."""

from __future__ import annotations

from bot.client import AnyLyceumBot
from bot.services.stats import StatsService
from cogs.stats.commands import Stats


async def setup(bot: AnyLyceumBot) -> None:
    """Load the stats cog."""
    await bot.add_cog(Stats(bot.services.get(StatsService), bot.settings))
