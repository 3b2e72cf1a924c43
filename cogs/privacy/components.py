"""The deletion's confirm button: persistent, and it acts only for whoever clicks it."""

from __future__ import annotations

import re
from typing import Any

import discord

from bot.core.ids import custom_id, pattern
from bot.core.text import t
from bot.discord_limits import respond
from bot.error_handler import answer_failures
from bot.services.privacy import PrivacyService
from cogs.privacy.render import deleted_text, server_only_text

FEATURE = "privacy"


class ConfirmDelete(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=pattern(FEATURE, "delete", r"(?P<value>stop|keep)"),
):
    """ "Delete my data": the value says whether to stop recording the member too."""

    def __init__(self, stop_recording: bool) -> None:
        super().__init__(
            discord.ui.Button(
                label=t("Delete my data"),
                style=discord.ButtonStyle.danger,
                custom_id=custom_id(FEATURE, "delete", "stop" if stop_recording else "keep"),
            )
        )
        self.stop_recording = stop_recording

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction,
        item: discord.ui.Item[Any],
        match: re.Match[str],
    ) -> ConfirmDelete:
        return cls(match["value"] == "stop")

    async def callback(self, interaction: discord.Interaction) -> None:
        await answer_failures(interaction, self._delete(interaction))

    async def _delete(self, interaction: discord.Interaction) -> None:
        if interaction.guild_id is None:
            await respond(interaction, server_only_text())
            return
        service: PrivacyService = interaction.client.services.get(PrivacyService)  # type: ignore[attr-defined]
        await interaction.response.defer(ephemeral=True, thinking=True)
        deleted = await service.delete(
            interaction.guild_id, interaction.user.id, stop_recording=self.stop_recording
        )
        await respond(interaction, deleted_text(deleted))
