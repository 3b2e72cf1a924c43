"""Moderators' commands: `/membership grant|revoke|lookup|resync` and `/setup tiers`."""

from __future__ import annotations

from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.access import MODERATORS, SERVER_MANAGERS
from bot.core.text import t
from bot.discord_limits import BoundedText, respond
from bot.discord_ports import (
    audience,
    audience_extras,
    bot_top_position,
    caller_of,
    declared_permissions,
    role_facts,
)
from bot.services.billing import BillingService
from bot.services.billing.moderation import UNTIL_MAX
from bot.services.billing.policy import PRICE_ID_MAX, TIER_KEY_MAX, TIER_NAME_MAX
from cogs.billing.choices import tier_autocomplete
from cogs.billing.render import entitlement_line, tier_line

TierKey = app_commands.Transform[str, BoundedText(TIER_KEY_MAX, what=lambda: t("A tier key"))]
EndDate = app_commands.Transform[str, BoundedText(UNTIL_MAX, what=lambda: t("An end date"))]
TierName = app_commands.Transform[str, BoundedText(TIER_NAME_MAX, what=lambda: t("A tier name"))]
PriceId = app_commands.Transform[
    str, BoundedText(PRICE_ID_MAX, what=lambda: t("A Stripe price id"))
]


@app_commands.guild_only()
@app_commands.default_permissions(declared_permissions(MODERATORS))
class Membership(
    commands.GroupCog, group_name="membership", group_extras=audience_extras(MODERATORS)
):
    """Paid access by hand, and repairs."""

    def __init__(self, billing: BillingService) -> None:
        self.billing = billing
        super().__init__()

    @app_commands.command(description="Give a member a tier by hand.")
    @app_commands.autocomplete(tier=tier_autocomplete)
    @app_commands.describe(
        member="Who gets it", tier="Which tier", until="End date: YYYY-MM-DD or days like 30d"
    )
    async def grant(
        self,
        interaction: discord.Interaction,
        member: discord.Member,
        tier: TierKey,
        until: EndDate | None = None,
    ) -> None:
        assert interaction.guild_id is not None
        view = await self.billing.grant(
            interaction.guild_id, caller_of(interaction), member.id, tier, until
        )
        await respond(
            interaction,
            t(
                "Granted {member}: {entitlement}",
                member=member.mention,
                entitlement=entitlement_line(view),
            ),
        )

    @app_commands.command(description="Take a tier away from a member.")
    @app_commands.autocomplete(tier=tier_autocomplete)
    @app_commands.describe(member="Whose tier", tier="Which tier")
    async def revoke(
        self, interaction: discord.Interaction, member: discord.Member, tier: TierKey
    ) -> None:
        assert interaction.guild_id is not None
        views = await self.billing.revoke(
            interaction.guild_id, caller_of(interaction), member.id, tier
        )
        lines = "\n".join(entitlement_line(view) for view in views)
        if any(view.source == "stripe" for view in views):
            text = t(
                "Revoked for {member}:\n{lines}\nTheir Stripe subscription still bills them: "
                "cancel or refund it in the Stripe Dashboard if that is intended.",
                member=member.mention,
                lines=lines,
            )
        else:
            text = t("Revoked for {member}:\n{lines}", member=member.mention, lines=lines)
        await respond(interaction, text)

    @app_commands.command(description="Show a member's paid access.")
    @app_commands.describe(member="Whose access")
    async def lookup(self, interaction: discord.Interaction, member: discord.Member) -> None:
        assert interaction.guild_id is not None
        views = await self.billing.lookup(interaction.guild_id, caller_of(interaction), member.id)
        body = "\n".join(entitlement_line(view) for view in views) or t("No paid access, ever.")
        await respond(
            interaction, t("{member}:\n{entitlements}", member=member.mention, entitlements=body)
        )

    @app_commands.command(description="Compare Stripe, memberships and roles now; fix drift.")
    async def resync(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        report = await self.billing.resync(interaction.guild_id, caller_of(interaction))
        await respond(interaction, report.summary())


class TierSetup(commands.Cog):
    """`/setup tiers`: list the tiers, or create/change one."""

    def __init__(self, billing: BillingService) -> None:
        self.billing = billing

    @audience(SERVER_MANAGERS)
    @app_commands.command(name="tiers", description="List paid tiers, or create/change one.")
    @app_commands.describe(
        key="Tier key to create or change (leave empty to list)",
        name="Name members see",
        price_id="Stripe price id (price_...)",
        role="Role the tier grants (below yours and mine, without moderator powers)",
        kind="Recurring subscription or one-time purchase",
        enabled="Offer it in /subscribe",
    )
    async def tiers(
        self,
        interaction: discord.Interaction,
        key: TierKey | None = None,
        name: TierName | None = None,
        price_id: PriceId | None = None,
        role: discord.Role | None = None,
        kind: Literal["subscription", "one_time"] | None = None,
        enabled: bool | None = None,
    ) -> None:
        assert interaction.guild_id is not None
        caller = caller_of(interaction)
        if key is None:
            views = await self.billing.tiers(interaction.guild_id, caller)
            body = "\n".join(tier_line(view) for view in views) or t("No tiers yet.")
            await respond(interaction, body)
            return
        view = await self.billing.set_tier(
            interaction.guild_id, caller, key, name=name, price_id=price_id,
            role=role_facts(role) if role else None,
            bot_top_position=bot_top_position(interaction), kind=kind, enabled=enabled,
        )  # fmt: skip
        await respond(interaction, t("Saved: {tier}", tier=tier_line(view)))
