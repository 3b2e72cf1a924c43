"""/help: what the bot does and which commands a member can use."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.text import t
from bot.discord_limits import respond
from bot.discord_ports import audience


def privacy_note() -> str:
    """What Lyceum records about members, in one sentence."""
    return t(
        "Lyceum records what you do here (messages, reactions, commands...) as counts "
        "with times, never what you write."
    )


def _command_lines(tree: app_commands.CommandTree[discord.Client]) -> list[str]:
    lines = []
    for command in sorted(tree.walk_commands(), key=lambda c: c.qualified_name):
        if isinstance(command, app_commands.Command) and command.default_permissions is None:
            parent = command.parent
            if parent is None or parent.default_permissions is None:
                lines.append(
                    t(
                        "`/{command}` — {description}",
                        command=command.qualified_name,
                        description=command.description,
                    )
                )
    return lines


class Help(commands.Cog):
    """Help and privacy information."""

    def __init__(self, tree: app_commands.CommandTree[discord.Client]) -> None:
        self.tree = tree

    @audience(None)
    @app_commands.command(name="help", description="What Lyceum does and the commands you can use.")
    async def help(self, interaction: discord.Interaction) -> None:
        embed = discord.Embed(
            title="Lyceum",
            description="\n".join(_command_lines(self.tree)) or t("No commands yet."),
            colour=discord.Colour.blurple(),
        )
        embed.set_footer(text=privacy_note())
        await respond(interaction, embeds=[embed])
