"""Drops on Discord: /content, /drop, /library, the Open and Subscribe buttons, likes and
comments on drop posts."""

from __future__ import annotations

from bot.client import AnyLyceumBot
from bot.services.drops import DropService
from cogs.drops.adapter import DiscordDropChannel
from cogs.drops.commands import ContentCommands, DropCommands, MemberLibrary
from cogs.drops.components import COMPONENTS


async def setup(bot: AnyLyceumBot) -> None:
    """Connect the service to Discord; load the cogs and the persistent buttons."""
    service = bot.services.get(DropService)
    service.connect(DiscordDropChannel(bot))
    bot.add_dynamic_items(*COMPONENTS)
    await bot.add_cog(ContentCommands(service))
    await bot.add_cog(DropCommands(service))
    await bot.add_cog(MemberLibrary(service))


async def teardown(bot: AnyLyceumBot) -> None:
    """Forget the persistent buttons."""
    bot.remove_dynamic_items(*COMPONENTS)
