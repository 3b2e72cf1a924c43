"""A test-only extension that runs hooks while the bot unloads its extensions at shutdown."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from discord.ext import commands

# Installed by a test: awaited, in order, while this cog is being unloaded.
WHILE_UNLOADING: list[Callable[[], Awaitable[None]]] = []


class Unloading(commands.Cog):
    """Lets a test act while the extensions loaded before this one are already gone."""

    async def cog_unload(self) -> None:
        """Run the test's hooks."""
        for hook in WHILE_UNLOADING:
            await hook()


async def setup(bot: commands.Bot) -> None:
    """Load the cog."""
    await bot.add_cog(Unloading())
