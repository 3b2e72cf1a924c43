"""The re-score's Apply button (works after a restart: the re-score id is in its custom id)."""

from __future__ import annotations

import re
from typing import Any

import discord

from bot.core.ids import custom_id, int_value, pattern
from bot.discord_limits import respond
from bot.discord_ports import caller_of
from bot.error_handler import answer_failures
from bot.services.points import PointsService, Rescorer
from cogs.points.render import rescore_text

FEATURE = "points"


class ApplyRescore(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=pattern(FEATURE, "rescore")
):
    """Applies the previewed re-score it names."""

    def __init__(self, rescore_id: int, label: str = "Apply") -> None:
        super().__init__(
            discord.ui.Button(
                label=label,
                style=discord.ButtonStyle.danger,
                custom_id=custom_id(FEATURE, "rescore", rescore_id),
            )
        )
        self.rescore_id = rescore_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction,
        item: discord.ui.Item[Any],
        match: re.Match[str],
    ) -> ApplyRescore:
        return cls(int_value(match["value"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await answer_failures(interaction, self._apply(interaction))

    async def _apply(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        service: PointsService = interaction.client.services.get(PointsService)  # type: ignore[attr-defined]
        view = await Rescorer(service).apply(
            interaction.guild_id, caller_of(interaction), self.rescore_id
        )
        await respond(interaction, rescore_text(view))
