"""`/stats week|retention|content|export` for the owners, and the weekly post's timers.

Everyone may see the commands (owners are Manage Server holders *or* the owners role,
which Discord's default permissions cannot express); anyone else is refused privately.
"""

from __future__ import annotations

import io

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.access import OWNERS, AccessPolicy
from bot.core.errors import NotAllowed
from bot.core.ports import OutgoingMessage
from bot.core.text import t
from bot.discord_limits import BoundedInt, BoundedText, respond
from bot.discord_ports import audience_extras, caller_of, to_embed
from bot.services.stats import StatsService
from bot.settings import Settings

REFUSAL = OWNERS.refusal
WEEK_MAX = 16
Week = app_commands.Transform[str, BoundedText(WEEK_MAX, what=lambda: t("A week"))]
WeekCount = app_commands.Transform[int, BoundedInt(1, 52, what=lambda: t("The number of weeks"))]


def owner_guild_id(interaction: discord.Interaction, access: AccessPolicy) -> int:
    """The guild id when the member may read stats there; `NotAllowed` otherwise."""
    if interaction.guild_id is None or not isinstance(interaction.user, discord.Member):
        raise NotAllowed(t("Stats are only available inside the server."))
    access.require(OWNERS, interaction.guild_id, caller_of(interaction))
    return interaction.guild_id


async def send_private(interaction: discord.Interaction, message: OutgoingMessage) -> None:
    """Send a service's message as the (deferred) private answer."""
    files = [discord.File(io.BytesIO(f.data), filename=f.filename) for f in message.files]
    await respond(
        interaction,
        message.content,
        embeds=[to_embed(card) for card in message.cards],
        files=files,
    )


@app_commands.guild_only()
class Stats(commands.GroupCog, group_name="stats", group_extras=audience_extras(OWNERS)):
    """The community's numbers, for its owners."""

    def __init__(self, stats: StatsService, settings: Settings) -> None:
        self.stats = stats
        self.access = AccessPolicy(settings.guild)
        super().__init__()

    @app_commands.command(description="The weekly report: headline numbers, changes and charts.")
    @app_commands.describe(week="An ISO week like 2026-W47 (default: the last complete week)")
    async def week(self, interaction: discord.Interaction, week: Week | None = None) -> None:
        guild_id = owner_guild_id(interaction, self.access)
        await interaction.response.defer(ephemeral=True, thinking=True)
        await send_private(interaction, await self.stats.week_message(guild_id, week))

    @app_commands.command(description="Cohort retention: who is still active weeks after joining.")
    @app_commands.describe(week="The last week of the table (default: the last complete week)")
    async def retention(self, interaction: discord.Interaction, week: Week | None = None) -> None:
        guild_id = owner_guild_id(interaction, self.access)
        await interaction.response.defer(ephemeral=True, thinking=True)
        await send_private(interaction, await self.stats.retention_message(guild_id, week))

    @app_commands.command(description="The week's most opened content, with share and reach.")
    @app_commands.describe(week="An ISO week like 2026-W47 (default: the last complete week)")
    async def content(self, interaction: discord.Interaction, week: Week | None = None) -> None:
        guild_id = owner_guild_id(interaction, self.access)
        await interaction.response.defer(ephemeral=True, thinking=True)
        await send_private(interaction, await self.stats.content_message(guild_id, week))

    @app_commands.command(description="A CSV of the headline numbers, one row per week.")
    @app_commands.describe(weeks="How many complete weeks, most recent last (1-52, default 12)")
    async def export(self, interaction: discord.Interaction, weeks: WeekCount = 12) -> None:
        guild_id = owner_guild_id(interaction, self.access)
        await interaction.response.defer(ephemeral=True, thinking=True)
        attachment = await self.stats.export_file(guild_id, weeks)
        await respond(
            interaction,
            t(
                "Stats for the last {count} complete week(s). Definitions: docs/metrics.md",
                count=weeks,
            ),
            files=[discord.File(io.BytesIO(attachment.data), filename=attachment.filename)],
        )
