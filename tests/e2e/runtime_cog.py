"""A test-only extension: a command that answers in two REST calls, to catch shutdown mid-way."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands


class TwoStep(commands.Cog):
    """Answers, then follows up."""

    @app_commands.command(name="two-step", description="Answer, then follow up.")
    async def two_step(self, interaction: discord.Interaction) -> None:
        """Reply privately, then send a follow-up."""
        await interaction.response.send_message("step 1", ephemeral=True)
        await interaction.followup.send("step 2", ephemeral=True)


async def setup(bot: commands.Bot) -> None:
    """Load the cog."""
    await bot.add_cog(TwoStep())
