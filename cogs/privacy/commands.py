"""A member's own data: what is kept, a copy of it, and deleting it (all private)."""

from __future__ import annotations

import io

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord_limits import respond
from bot.discord_ports import audience_extras
from bot.services.privacy import PrivacyService
from cogs.privacy.components import ConfirmDelete
from cogs.privacy.render import delete_prompt, export_text, info_text, server_only_text


@app_commands.guild_only()
class PrivacyCommands(commands.GroupCog, group_name="privacy", group_extras=audience_extras(None)):
    """Your data in this server: what is kept, export it, delete it."""

    def __init__(self, privacy: PrivacyService) -> None:
        self.privacy = privacy
        super().__init__()

    @app_commands.command(description="What Lyceum keeps about you, why, and for how long.")
    async def info(self, interaction: discord.Interaction) -> None:
        if interaction.guild_id is None:
            await respond(interaction, server_only_text())
            return
        await respond(
            interaction, info_text(self.privacy.info(interaction.guild_id, interaction.user.id))
        )

    @app_commands.command(description="Get everything Lyceum stores about you, as a JSON file.")
    async def export(self, interaction: discord.Interaction) -> None:
        if interaction.guild_id is None:
            await respond(interaction, server_only_text())
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        attachment = await self.privacy.export(
            interaction.guild_id, interaction.user.id, size_limit=interaction.filesize_limit
        )
        file = discord.File(io.BytesIO(attachment.data), filename=attachment.filename)
        await respond(interaction, export_text(attachment.filename), files=[file])

    @app_commands.command(description="Delete what Lyceum stores about you (asks to confirm).")
    @app_commands.describe(stop_recording="Also stop recording anything about you from now on")
    async def delete(self, interaction: discord.Interaction, stop_recording: bool = False) -> None:
        if interaction.guild_id is None:
            await respond(interaction, server_only_text())
            return
        await self.privacy.require_no_paid_access(interaction.guild_id, interaction.user.id)
        view = discord.ui.View(timeout=None)
        view.add_item(ConfirmDelete(stop_recording))
        await respond(interaction, delete_prompt(stop_recording), view=view)
