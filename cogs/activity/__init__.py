"""What members do, recorded (ids and times only, never content)."""

from __future__ import annotations

from bot.client import AnyLyceumBot
from bot.services.activity import ActivityService
from cogs.activity.listeners import Activity


async def setup(bot: AnyLyceumBot) -> None:
    """Load the cog."""
    await bot.add_cog(Activity(bot, bot.services.get(ActivityService)))
