"""Q&A on Discord: /ask, "Mark as answer", /questions, /qa, and the question threads."""

from __future__ import annotations

import discord
from discord import app_commands

from bot.client import AnyLyceumBot
from bot.discord_ports import audience_extras
from bot.services.qa.service import QaService
from cogs.qa import asking, marking
from cogs.qa.commands import QaModeration, Questions
from cogs.qa.threads import DiscordThreads

MARK_AS_ANSWER = "Mark as answer"


async def setup(bot: AnyLyceumBot) -> None:
    """Attach the threads adapter; load the cogs, the menu command and the components."""
    service = bot.services.get(QaService)
    service.attach(DiscordThreads(bot))
    bot.add_dynamic_items(*asking.COMPONENTS, *marking.COMPONENTS)
    await bot.add_cog(asking.Asking(service))
    await bot.add_cog(marking.ThreadWatch(service, bot))
    await bot.add_cog(Questions(service))
    await bot.add_cog(QaModeration(service))
    # Every member may use it: the service asks the asker to confirm anyone else's mark.
    menu = app_commands.ContextMenu(
        name=MARK_AS_ANSWER, callback=marking.mark_as_answer, extras=audience_extras(None)
    )
    menu.guild_only = True
    bot.tree.add_command(menu)


async def teardown(bot: AnyLyceumBot) -> None:
    """Take the menu command and the components away."""
    bot.tree.remove_command(MARK_AS_ANSWER, type=discord.AppCommandType.message)
    bot.remove_dynamic_items(*asking.COMPONENTS, *marking.COMPONENTS)
