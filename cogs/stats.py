"""`/stats week|retention|content|export` for the owners, and the weekly post's timers.

Everyone may see the commands (owners are Manage Server holders *or* the owners role,
which Discord's default permissions cannot express); anyone else is refused privately.
"""

from __future__ import annotations

import io

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import AnyLyceumBot
from bot.core.errors import NotAllowed
from bot.core.ports import OutgoingMessage
from bot.discord_ports import to_embed
from bot.services.stats import StatsService
from bot.settings import Settings

REFUSAL = "Only the server's owners can read stats: you need Manage Server or the owners role."


def owner_guild_id(interaction: discord.Interaction, settings: Settings) -> int:
    """The guild id when the member may read stats there; `NotAllowed` otherwise."""
    if interaction.guild_id is None or not isinstance(interaction.user, discord.Member):
        raise NotAllowed("Stats are only available inside the server.")
    if interaction.permissions.manage_guild:
        return interaction.guild_id
    guild = settings.guild(interaction.guild_id)
    owner_role = guild.owner_role_id if guild else 0
    if owner_role and any(role.id == owner_role for role in interaction.user.roles):
        return interaction.guild_id
    raise NotAllowed(REFUSAL)


async def send_private(interaction: discord.Interaction, message: OutgoingMessage) -> None:
    """Send a service's message as the (deferred) private answer."""
    files = [discord.File(io.BytesIO(f.data), filename=f.filename) for f in message.files]
    await interaction.followup.send(
        content=message.content or discord.utils.MISSING,
        embeds=[to_embed(card) for card in message.cards],
        files=files,
        ephemeral=True,
    )


@app_commands.guild_only()
class Stats(commands.GroupCog, group_name="stats"):
    """The community's numbers, for its owners."""

    def __init__(self, stats: StatsService, settings: Settings) -> None:
        self.stats = stats
        self.settings = settings
        super().__init__()

    async def cog_load(self) -> None:
        await self.stats.start()

    async def cog_unload(self) -> None:
        await self.stats.stop()

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        await self.stats.catch_up()

    @app_commands.command(description="The weekly report: headline numbers, changes and charts.")
    @app_commands.describe(week="An ISO week like 2026-W47 (default: the last complete week)")
    async def week(self, interaction: discord.Interaction, week: str | None = None) -> None:
        guild_id = owner_guild_id(interaction, self.settings)
        await interaction.response.defer(ephemeral=True, thinking=True)
        await send_private(interaction, await self.stats.week_message(guild_id, week))

    @app_commands.command(description="Cohort retention: who is still active weeks after joining.")
    @app_commands.describe(week="The last week of the table (default: the last complete week)")
    async def retention(self, interaction: discord.Interaction, week: str | None = None) -> None:
        guild_id = owner_guild_id(interaction, self.settings)
        await interaction.response.defer(ephemeral=True, thinking=True)
        await send_private(interaction, await self.stats.retention_message(guild_id, week))

    @app_commands.command(description="The week's most opened content, with share and reach.")
    @app_commands.describe(week="An ISO week like 2026-W47 (default: the last complete week)")
    async def content(self, interaction: discord.Interaction, week: str | None = None) -> None:
        guild_id = owner_guild_id(interaction, self.settings)
        await interaction.response.defer(ephemeral=True, thinking=True)
        await send_private(interaction, await self.stats.content_message(guild_id, week))

    @app_commands.command(description="A CSV of the headline numbers, one row per week.")
    @app_commands.describe(weeks="How many complete weeks, most recent last (1-52, default 12)")
    async def export(
        self, interaction: discord.Interaction, weeks: app_commands.Range[int, 1, 52] = 12
    ) -> None:
        guild_id = owner_guild_id(interaction, self.settings)
        await interaction.response.defer(ephemeral=True, thinking=True)
        attachment = await self.stats.export_file(guild_id, weeks)
        await interaction.followup.send(
            f"Stats for the last {weeks} complete week(s). Definitions: docs/metrics.md",
            file=discord.File(io.BytesIO(attachment.data), filename=attachment.filename),
            ephemeral=True,
        )


async def setup(bot: AnyLyceumBot) -> None:
    """Load the stats cog."""
    await bot.add_cog(Stats(bot.services.stats, bot.settings))
