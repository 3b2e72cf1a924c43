"""Members' commands: `/subscribe` and `/billing`."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.text import t
from bot.discord_limits import BoundedText, respond
from bot.discord_ports import audience
from bot.services.billing import BillingService
from bot.services.billing.policy import TIER_KEY_MAX
from cogs.billing.choices import tier_autocomplete
from cogs.billing.render import plain

TierKey = app_commands.Transform[str, BoundedText(TIER_KEY_MAX, what=lambda: t("A tier"))]


class MemberBilling(commands.Cog):
    """Joining a paid tier and managing the membership."""

    def __init__(self, billing: BillingService) -> None:
        self.service = billing

    @audience(None)
    @app_commands.command(description="Get a private link to join a paid tier.")
    @app_commands.autocomplete(tier=tier_autocomplete)
    @app_commands.describe(tier="The tier to join")
    @app_commands.guild_only()
    @app_commands.checks.cooldown(3, 60.0, key=lambda i: (i.guild_id, i.user.id))
    async def subscribe(self, interaction: discord.Interaction, tier: TierKey) -> None:
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        link = await self.service.checkout_link(interaction.guild_id, interaction.user.id, tier)
        label = (
            t("Subscribe to {tier}", tier=link.tier_name)
            if link.kind == "subscription"
            else t("Buy {tier}", tier=link.tier_name)
        )
        view = discord.ui.View()
        view.add_item(discord.ui.Button(label=label, url=link.url))
        await respond(
            interaction,
            t(
                "Here is your private checkout link for **{tier}**. Your role "
                "arrives as soon as the payment goes through.",
                tier=plain(link.tier_name),
            ),
            view=view,
        )

    @audience(None)
    @app_commands.command(description="Manage your paid membership (card, invoices, cancel).")
    @app_commands.guild_only()
    @app_commands.checks.cooldown(3, 60.0, key=lambda i: (i.guild_id, i.user.id))
    async def billing(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        url = await self.service.portal_link(interaction.guild_id, interaction.user.id)
        view = discord.ui.View()
        view.add_item(discord.ui.Button(label=t("Open billing portal"), url=url))
        await respond(interaction, t("Your private billing portal link:"), view=view)
