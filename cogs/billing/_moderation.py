"""Moderators' commands: `/membership grant|revoke|lookup|resync` and `/setup tiers`."""

from __future__ import annotations

from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.services.billing import BillingService
from cogs.billing._render import actor_of, clip, entitlement_line, tier_line


@app_commands.guild_only()
@app_commands.default_permissions(manage_roles=True)
class Membership(commands.GroupCog, group_name="membership"):
    """Paid access by hand, and repairs."""

    def __init__(self, billing: BillingService) -> None:
        self.billing = billing
        super().__init__()

    @app_commands.command(description="Give a member a tier by hand.")
    @app_commands.describe(
        member="Who gets it", tier="Which tier", until="End date: YYYY-MM-DD or days like 30d"
    )
    async def grant(
        self,
        interaction: discord.Interaction,
        member: discord.Member,
        tier: str,
        until: str | None = None,
    ) -> None:
        assert interaction.guild_id is not None
        view = await self.billing.grant(
            interaction.guild_id, actor_of(interaction), member.id, tier, until
        )
        await interaction.response.send_message(
            f"Granted {member.mention}: {entitlement_line(view)}", ephemeral=True
        )

    @app_commands.command(description="Take a tier away from a member.")
    @app_commands.describe(member="Whose tier", tier="Which tier")
    async def revoke(
        self, interaction: discord.Interaction, member: discord.Member, tier: str
    ) -> None:
        assert interaction.guild_id is not None
        views = await self.billing.revoke(
            interaction.guild_id, actor_of(interaction), member.id, tier
        )
        lines = "\n".join(entitlement_line(view) for view in views)
        note = (
            "\nTheir Stripe subscription still bills them: cancel or refund it in the Stripe "
            "Dashboard if that is intended."
            if any(view.source == "stripe" for view in views)
            else ""
        )
        await interaction.response.send_message(
            clip(f"Revoked for {member.mention}:\n{lines}{note}"), ephemeral=True
        )

    @app_commands.command(description="Show a member's paid access.")
    @app_commands.describe(member="Whose access")
    async def lookup(self, interaction: discord.Interaction, member: discord.Member) -> None:
        assert interaction.guild_id is not None
        views = await self.billing.lookup(interaction.guild_id, actor_of(interaction), member.id)
        body = "\n".join(entitlement_line(view) for view in views) or "No paid access, ever."
        await interaction.response.send_message(clip(f"{member.mention}:\n{body}"), ephemeral=True)

    @app_commands.command(description="Compare Stripe, memberships and roles now; fix drift.")
    async def resync(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        report = await self.billing.resync(interaction.guild_id, actor_of(interaction))
        await interaction.followup.send(clip(report.summary()), ephemeral=True)

    @grant.autocomplete("tier")
    @revoke.autocomplete("tier")
    async def _tier_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None:
            return []
        choices = await self.billing.tier_choices(interaction.guild_id, current)
        return [app_commands.Choice(name=choice.name, value=choice.key) for choice in choices]


class TierSetup(commands.Cog):
    """`/setup tiers`: list the tiers, or create/change one."""

    def __init__(self, billing: BillingService) -> None:
        self.billing = billing

    @app_commands.command(name="tiers", description="List paid tiers, or create/change one.")
    @app_commands.describe(
        key="Tier key to create or change (leave empty to list)",
        name="Name members see",
        price_id="Stripe price id (price_...)",
        role="Role the tier grants",
        kind="Recurring subscription or one-time purchase",
        enabled="Offer it in /subscribe",
    )
    async def tiers(
        self,
        interaction: discord.Interaction,
        key: str | None = None,
        name: str | None = None,
        price_id: str | None = None,
        role: discord.Role | None = None,
        kind: Literal["subscription", "one_time"] | None = None,
        enabled: bool | None = None,
    ) -> None:
        assert interaction.guild_id is not None
        actor = actor_of(interaction)
        if key is None:
            views = await self.billing.tiers(interaction.guild_id, actor)
            body = "\n".join(tier_line(view) for view in views) or "No tiers yet."
            await interaction.response.send_message(clip(body), ephemeral=True)
            return
        view = await self.billing.set_tier(
            interaction.guild_id, actor, key, name=name, price_id=price_id,
            role_id=role.id if role else None, kind=kind, enabled=enabled,
        )  # fmt: skip
        await interaction.response.send_message(f"Saved: {tier_line(view)}", ephemeral=True)
