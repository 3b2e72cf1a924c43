"""/feedback send and /feedback list."""

from __future__ import annotations

from bot.client import AnyLyceumBot
from bot.services.feedback import FeedbackService
from cogs.feedback.commands import FeedbackCog


async def setup(bot: AnyLyceumBot) -> None:
    """Load the cog."""
    await bot.add_cog(FeedbackCog(bot.services.get(FeedbackService)))
