"""The one autocomplete for every tier option (/subscribe, /membership grant and revoke)."""

from __future__ import annotations

from typing import cast

import discord
from discord import app_commands

from bot.client import AnyLyceumBot
from bot.services.billing import BillingService
from cogs.billing.render import tier_choices


async def tier_autocomplete(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    """The guild's tiers matching what the member typed, fitted to Discord's limits."""
    if interaction.guild_id is None:
        return []
    billing = cast(AnyLyceumBot, interaction.client).services.get(BillingService)
    return tier_choices(await billing.tier_choices(interaction.guild_id, current))
