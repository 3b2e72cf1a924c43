"""Members' commands: `/subscribe` and `/billing`."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.services.billing import BillingService


class MemberBilling(commands.Cog):
    """Joining a paid tier and managing the membership."""

    def __init__(self, billing: BillingService) -> None:
        self.service = billing

    @app_commands.command(description="Get a private link to join a paid tier.")
    @app_commands.describe(tier="The tier to join")
    @app_commands.guild_only()
    @app_commands.checks.cooldown(3, 60.0, key=lambda i: (i.guild_id, i.user.id))
    async def subscribe(self, interaction: discord.Interaction, tier: str) -> None:
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        link = await self.service.checkout_link(interaction.guild_id, interaction.user.id, tier)
        what = "Subscribe to" if link.kind == "subscription" else "Buy"
        view = discord.ui.View()
        view.add_item(discord.ui.Button(label=f"{what} {link.tier_name}", url=link.url))
        await interaction.followup.send(
            f"Here is your private checkout link for **{link.tier_name}**. Your role arrives "
            "as soon as the payment goes through.",
            view=view,
            ephemeral=True,
        )

    @subscribe.autocomplete("tier")
    async def _tier_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None:
            return []
        choices = await self.service.tier_choices(interaction.guild_id, current)
        return [app_commands.Choice(name=choice.name, value=choice.key) for choice in choices]

    @app_commands.command(description="Manage your paid membership (card, invoices, cancel).")
    @app_commands.guild_only()
    @app_commands.checks.cooldown(3, 60.0, key=lambda i: (i.guild_id, i.user.id))
    async def billing(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        url = await self.service.portal_link(interaction.guild_id, interaction.user.id)
        view = discord.ui.View()
        view.add_item(discord.ui.Button(label="Open billing portal", url=url))
        await interaction.followup.send(
            "Your private billing portal link:", view=view, ephemeral=True
        )
