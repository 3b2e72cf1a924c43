"""The persistent components: "I agree" and the interests menu (work after restarts)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable
from typing import Any, TypeVar

import discord

from bot.core.ids import custom_id, int_value, pattern
from bot.core.text import t
from bot.discord_limits import respond
from bot.error_handler import answer_failures
from bot.services.onboarding import OnboardingService, Presence, TopicView
from cogs.onboarding.render import agreed_text, interests_text

FEATURE = "onboarding"
# Discord drops an answer after 3 s: work still running after this long is deferred first
# (a join wave can queue the database), then the answer fills in the "thinking" message.
DEFER_AFTER_S = 1.5
T = TypeVar("T")


async def in_time(interaction: discord.Interaction, work: Awaitable[T]) -> T:
    """The work's result; the interaction is deferred first when the work is slow."""
    task = asyncio.ensure_future(work)
    done, _ = await asyncio.wait({task}, timeout=DEFER_AFTER_S)
    if not done and not interaction.response.is_done():
        await interaction.response.defer(ephemeral=True, thinking=True)
    return await task


def presence_of(member: discord.Member | discord.User) -> Presence | None:
    """Discord's screening state of a member (None for a plain user)."""
    if not isinstance(member, discord.Member):
        return None
    return Presence(pending=member.pending, flags=member.flags.value)


def _service(interaction: discord.Interaction) -> OnboardingService:
    return interaction.client.services.get(OnboardingService)  # type: ignore[attr-defined, no-any-return]


class AgreeButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=pattern(FEATURE, "agree")
):
    """The "I agree" button of a guild's gate message."""

    def __init__(self, guild_id: int, label: str = "I agree") -> None:
        super().__init__(
            discord.ui.Button(
                label=label,
                style=discord.ButtonStyle.success,
                custom_id=custom_id(FEATURE, "agree", guild_id),
            )
        )
        self.guild_id = guild_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction,
        item: discord.ui.Item[Any],
        match: re.Match[str],
    ) -> AgreeButton:
        return cls(int_value(match["value"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await answer_failures(interaction, self._agree(interaction))

    async def _agree(self, interaction: discord.Interaction) -> None:
        if interaction.guild_id is None or interaction.guild_id != self.guild_id:
            await respond(interaction, t("This button belongs to another server."))
            return
        result = await in_time(
            interaction,
            _service(interaction).agree(
                self.guild_id, interaction.user.id, presence_of(interaction.user)
            ),
        )
        view = start_view(self.guild_id, False, result.topics, result.chosen)
        await respond(interaction, agreed_text(result), view=view)


class InterestsSelect(
    discord.ui.DynamicItem[discord.ui.Select[Any]], template=pattern(FEATURE, "interests")
):
    """The menu of a guild's topics; picking sets the member's interests."""

    def __init__(
        self, guild_id: int, topics: tuple[TopicView, ...] = (), chosen: tuple[str, ...] = ()
    ) -> None:
        options = [
            discord.SelectOption(
                label=topic.label[:100],
                value=topic.key,
                emoji=topic.emoji or None,
                default=topic.key in chosen,
            )
            for topic in topics
        ] or [discord.SelectOption(label="-", value="-")]
        super().__init__(
            discord.ui.Select(
                custom_id=custom_id(FEATURE, "interests", guild_id),
                placeholder=t("Pick your interests"),
                min_values=0,
                max_values=len(options),
                options=options,
            )
        )
        self.guild_id = guild_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction,
        item: discord.ui.Item[Any],
        match: re.Match[str],
    ) -> InterestsSelect:
        return cls(int_value(match["value"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await answer_failures(interaction, self._choose(interaction))

    async def _choose(self, interaction: discord.Interaction) -> None:
        if interaction.guild_id is None or interaction.guild_id != self.guild_id:
            await respond(interaction, t("This menu belongs to another server."))
            return
        keys = list(self.item.values)  # discord.py fills them from the interaction
        chosen = await in_time(
            interaction,
            _service(interaction).choose_interests(self.guild_id, interaction.user.id, keys),
        )
        await respond(interaction, interests_text(chosen))


def start_view(
    guild_id: int, needs_agreement: bool, topics: tuple[TopicView, ...], chosen: tuple[str, ...]
) -> discord.ui.View | None:
    """The open steps as components: the gate button, the interests menu."""
    view = discord.ui.View(timeout=None)
    if needs_agreement:
        view.add_item(AgreeButton(guild_id, t("I agree")))
    elif topics:
        view.add_item(InterestsSelect(guild_id, topics, chosen))
    return view if view.children else None
