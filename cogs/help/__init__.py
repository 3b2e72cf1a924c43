"""/help: what the bot does and which commands a member can use."""

from __future__ import annotations

from bot.client import AnyLyceumBot
from cogs.help.commands import Help


async def setup(bot: AnyLyceumBot) -> None:
    """Load the cog."""
    await bot.add_cog(Help(bot.tree))
