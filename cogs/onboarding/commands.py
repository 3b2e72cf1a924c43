"""Members' commands (`/start`, `/profile show|interests`), the moderators' `/setup`
subcommands, and Discord's member updates (screening passed, onboarding completed)."""

from __future__ import annotations

from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.access import MODERATORS
from bot.core.text import t
from bot.discord_limits import BoundedText, respond
from bot.discord_ports import audience, audience_extras, bot_top_position, caller_of, role_facts
from bot.services.onboarding import OnboardingService, OnboardingSetup
from bot.services.onboarding.views import (
    CAMPAIGN_MAX,
    TOPIC_KEY_MAX,
    TOPIC_LABEL_MAX,
    WELCOME_TEXT_MAX,
)
from cogs.onboarding.components import InterestsSelect, presence_of, start_view
from cogs.onboarding.render import (
    dms_text,
    interests_text,
    profile_text,
    setup_text,
    start_text,
)

TopicKey = app_commands.Transform[str, BoundedText(TOPIC_KEY_MAX, what="A topic key")]
TopicLabel = app_commands.Transform[str, BoundedText(TOPIC_LABEL_MAX, what="A topic label")]
Emoji = app_commands.Transform[str, BoundedText(32, what="An emoji")]
WelcomeText = app_commands.Transform[str, BoundedText(WELCOME_TEXT_MAX, what="A welcome text")]
InviteCode = app_commands.Transform[str, BoundedText(100, what="An invite code")]
Campaign = app_commands.Transform[str, BoundedText(CAMPAIGN_MAX, what="A campaign name")]


class MemberOnboarding(commands.Cog):
    """`/start` and `/profile`, and Discord's screening state as it changes."""

    profile = app_commands.Group(
        name="profile",
        description="Your profile in this server.",
        guild_only=True,
        extras=audience_extras(None),
    )

    def __init__(self, service: OnboardingService) -> None:
        self.service = service

    @audience(None)
    @app_commands.command(description="Open the steps to get into the community.")
    @app_commands.guild_only()
    async def start(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        steps = await self.service.start(interaction.guild_id, interaction.user.id)
        view = start_view(steps.guild_id, steps.needs_agreement, steps.topics, steps.chosen)
        await respond(interaction, start_text(steps.needs_agreement, bool(steps.topics)), view=view)

    @profile.command(name="show", description="Your own status here (only you see it).")
    async def show(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        view = await self.service.profile(interaction.guild_id, interaction.user.id)
        await respond(interaction, profile_text(view))

    @profile.command(name="interests", description="Pick or change your interests.")
    async def interests(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        steps = await self.service.start(interaction.guild_id, interaction.user.id)
        if not steps.topics:
            await respond(interaction, t("This server offers no topics yet."))
            return
        view = discord.ui.View(timeout=None)
        view.add_item(InterestsSelect(steps.guild_id, steps.topics, steps.chosen))
        await respond(interaction, interests_text(steps.chosen), view=view)

    @profile.command(name="dms", description="Turn direct messages from Lyceum off or on.")
    @app_commands.describe(state="off: no feature sends you DMs; on: allow them again")
    async def dms(self, interaction: discord.Interaction, state: Literal["off", "on"]) -> None:
        assert interaction.guild_id is not None
        allowed = await self.service.set_dms(
            interaction.guild_id, interaction.user.id, state == "on"
        )
        await respond(interaction, dms_text(allowed))

    @commands.Cog.listener()
    async def on_member_update(self, before: discord.Member, after: discord.Member) -> None:
        if after.bot:
            return
        if before.pending == after.pending and before.flags.value == after.flags.value:
            return
        await self.service.member_changed(after.guild.id, after.id, presence_of(after))


class OnboardingSetupCog(commands.Cog):
    """`/setup onboarding`, `/setup topic`, `/setup show` (moneyless, moderators only)."""

    def __init__(self, setup: OnboardingSetup) -> None:
        self.setup = setup

    @audience(MODERATORS)
    @app_commands.command(name="onboarding", description="Set the rules gate and the welcome.")
    @app_commands.describe(
        gate="Use Lyceum's own \"I agree\" button (off when Discord's screening is used)",
        member_role="Role given once a member is in",
        welcome_channel="Where the gate and the welcomes are posted",
        welcome_text="Public welcome; {member} becomes the new member",
        welcome_dm="DM new members how to use /library, /ask, /subscribe (they can opt out)",
    )
    async def onboarding(
        self,
        interaction: discord.Interaction,
        gate: bool | None = None,
        member_role: discord.Role | None = None,
        welcome_channel: discord.TextChannel | None = None,
        welcome_text: WelcomeText | None = None,
        welcome_dm: bool | None = None,
    ) -> None:
        assert interaction.guild_id is not None
        view = await self.setup.configure(
            interaction.guild_id, caller_of(interaction), gate=gate,
            member_role=role_facts(member_role) if member_role else None,
            welcome_channel_id=welcome_channel.id if welcome_channel else None,
            welcome_text=welcome_text, welcome_dm=welcome_dm,
            bot_top_position=bot_top_position(interaction),
        )  # fmt: skip
        await respond(interaction, t("Saved.\n{settings}", settings=setup_text(view)))

    @audience(MODERATORS)
    @app_commands.command(name="topic", description="Create, change or remove an interest.")
    @app_commands.describe(
        key="Short key (e.g. python)", label="Name members see", emoji="Emoji shown",
        role="Role the topic gives", remove="Remove the topic",
    )  # fmt: skip
    async def topic(
        self,
        interaction: discord.Interaction,
        key: TopicKey,
        label: TopicLabel | None = None,
        emoji: Emoji | None = None,
        role: discord.Role | None = None,
        remove: bool = False,
    ) -> None:
        assert interaction.guild_id is not None
        view = await self.setup.set_topic(
            interaction.guild_id, caller_of(interaction), key, label=label, emoji=emoji,
            role=role_facts(role) if role else None, remove=remove,
            bot_top_position=bot_top_position(interaction),
        )  # fmt: skip
        await respond(interaction, t("Saved.\n{settings}", settings=setup_text(view)))

    @audience(MODERATORS)
    @app_commands.command(name="invite", description="Name an invite link as a campaign.")
    @app_commands.describe(
        code="The invite code (the part after discord.gg/)",
        campaign="Name the stats show for members who joined through it",
        remove="Forget the campaign name",
    )
    async def invite(
        self,
        interaction: discord.Interaction,
        code: InviteCode,
        campaign: Campaign | None = None,
        remove: bool = False,
    ) -> None:
        assert interaction.guild_id is not None
        view = await self.setup.name_invite(
            interaction.guild_id, caller_of(interaction), code, campaign or "", remove=remove
        )
        await respond(interaction, t("Saved.\n{settings}", settings=setup_text(view)))

    @audience(MODERATORS)
    @app_commands.command(name="show", description="Show Lyceum's onboarding settings.")
    async def show(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        view = await self.setup.show(interaction.guild_id, caller_of(interaction))
        await respond(interaction, setup_text(view))
