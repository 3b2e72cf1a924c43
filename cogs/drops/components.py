"""The persistent components: Open on a drop post, Open in /library, Subscribe on an upsell."""

from __future__ import annotations

import re
from typing import Any, cast

import discord
from discord import app_commands

from bot.core.ids import custom_id, int_value, pattern
from bot.core.text import t
from bot.discord_limits import respond
from bot.error_handler import answer_failures
from bot.services.drops import DropService, Opened
from cogs.drops.render import locked_text, opened_embed

FEATURE = "drops"


def _service(interaction: discord.Interaction) -> DropService:
    return interaction.client.services.get(DropService)  # type: ignore[attr-defined, no-any-return]


async def show_opened(interaction: discord.Interaction, opened: Opened) -> None:
    """The whole item privately, or why not (with Subscribe for a tier)."""
    if opened.allowed:
        await respond(interaction, embeds=[opened_embed(opened)])
        return
    view = None
    if opened.tier_key:
        view = discord.ui.View(timeout=None)
        view.add_item(SubscribeButton(opened.item.id, t("Subscribe")))
    await respond(interaction, locked_text(opened), view=view)


class OpenButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=pattern(FEATURE, "open")):
    """Open on a drop post (works after restarts: the drop id is in the custom id)."""

    def __init__(self, drop_id: int, label: str = "Open") -> None:
        super().__init__(
            discord.ui.Button(label=label, custom_id=custom_id(FEATURE, "open", drop_id))
        )
        self.drop_id = drop_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> OpenButton:
        return cls(int_value(match["value"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await answer_failures(interaction, self._open(interaction))

    async def _open(self, interaction: discord.Interaction) -> None:
        if interaction.guild_id is None:
            await respond(interaction, t("This button works in the server only."))
            return
        opened = await _service(interaction).open_drop(
            interaction.guild_id, interaction.user.id, self.drop_id, interaction.channel_id
        )
        await show_opened(interaction, opened)


class ItemButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=pattern(FEATURE, "item")):
    """Open next to an item in /library."""

    def __init__(self, content_id: int, label: str = "Open") -> None:
        super().__init__(
            discord.ui.Button(
                label=label,
                style=discord.ButtonStyle.secondary,
                custom_id=custom_id(FEATURE, "item", content_id),
            )
        )
        self.content_id = content_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> ItemButton:
        return cls(int_value(match["value"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await answer_failures(interaction, self._open(interaction))

    async def _open(self, interaction: discord.Interaction) -> None:
        if interaction.guild_id is None:
            await respond(interaction, t("This button works in the server only."))
            return
        opened = await _service(interaction).library.open(
            interaction.guild_id, interaction.user.id, self.content_id,
            channel_id=interaction.channel_id,
        )  # fmt: skip
        await show_opened(interaction, opened)


class SubscribeButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=pattern(FEATURE, "subscribe")
):
    """Subscribe on an upsell: hands the member to billing's `/subscribe` for the item's tier.

    Billing has no persistent subscribe component to reuse, so this runs its `/subscribe`
    command (its public surface) for the member: the checkout link is billing's own.
    """

    def __init__(self, content_id: int, label: str = "Subscribe") -> None:
        super().__init__(
            discord.ui.Button(
                label=label,
                style=discord.ButtonStyle.success,
                custom_id=custom_id(FEATURE, "subscribe", content_id),
            )
        )
        self.content_id = content_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> SubscribeButton:
        return cls(int_value(match["value"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await answer_failures(interaction, self._subscribe(interaction))

    async def _subscribe(self, interaction: discord.Interaction) -> None:
        if interaction.guild_id is None:
            await respond(interaction, t("This button works in the server only."))
            return
        tier = await _service(interaction).upsell_tier(interaction.guild_id, self.content_id)
        tree = cast(app_commands.CommandTree[Any], interaction.client.tree)  # type: ignore[attr-defined]
        command = tree.get_command("subscribe")
        if not isinstance(command, app_commands.Command) or command.binding is None:
            await respond(interaction, t("Subscriptions are not available here."))
            return
        callback = cast(Any, command.callback)
        await callback(command.binding, interaction, tier)


COMPONENTS = (OpenButton, ItemButton, SubscribeButton)
