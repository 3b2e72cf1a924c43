"""discord.py adapters for the ports in `bot/core/ports.py`."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
import discord

from bot.core.ports import (
    Card,
    DirectMessagesClosed,
    MissingPermissions,
    OutgoingMessage,
    PortError,
    TargetGone,
    TemporarilyUnavailable,
)

_BUTTON_STYLES = {
    "primary": discord.ButtonStyle.primary,
    "secondary": discord.ButtonStyle.secondary,
    "success": discord.ButtonStyle.success,
    "danger": discord.ButtonStyle.danger,
    "link": discord.ButtonStyle.link,
}
MISSING_PERMISSIONS = 50013
CANNOT_MESSAGE_USER = 50007


@asynccontextmanager
async def translated_errors(action: str) -> AsyncIterator[None]:
    """Turn discord.py and network failures into port errors that services understand."""
    try:
        yield
    except discord.Forbidden as error:
        if error.code == CANNOT_MESSAGE_USER:
            raise DirectMessagesClosed(f"{action}: the member does not accept DMs") from error
        raise MissingPermissions(f"{action}: {error.text or 'Missing Permissions'}") from error
    except discord.NotFound as error:
        raise TargetGone(f"{action}: {error.text or 'not found'}") from error
    except discord.HTTPException as error:
        if error.status >= 500 or error.status == 429:
            raise TemporarilyUnavailable(f"{action}: Discord answered {error.status}") from error
        raise PortError(f"{action}: Discord answered {error.status} {error.text}") from error
    except (TimeoutError, aiohttp.ClientError, discord.GatewayNotFound) as error:
        raise TemporarilyUnavailable(f"{action}: {error!r}") from error


def to_embed(card: Card) -> discord.Embed:
    """Render a `Card` as a discord.py embed."""
    embed = discord.Embed(
        title=card.title, description=card.description or None, colour=card.colour, url=card.url
    )
    for item in card.fields:
        embed.add_field(name=item.name, value=item.value, inline=item.inline)
    if card.footer:
        embed.set_footer(text=card.footer)
    if card.image_file:
        embed.set_image(url=f"attachment://{card.image_file}")
    return embed


def to_view(message: OutgoingMessage) -> discord.ui.View | None:
    """Render the message's buttons as a view (None when it has none)."""
    if not message.buttons:
        return None
    view = discord.ui.View(timeout=None)
    for button in message.buttons:
        view.add_item(
            discord.ui.Button(
                label=button.label,
                custom_id=None if button.url else button.custom_id,
                url=button.url,
                style=_BUTTON_STYLES["link" if button.url else button.style],
            )
        )
    return view


async def send(channel: discord.abc.Messageable, message: OutgoingMessage) -> discord.Message:
    """Send an `OutgoingMessage` to any messageable."""
    embeds = [to_embed(card) for card in message.cards]
    files = [discord.File(io.BytesIO(f.data), filename=f.filename) for f in message.files]
    view = to_view(message)
    if view is None:
        return await channel.send(content=message.content or None, embeds=embeds, files=files)
    return await channel.send(
        content=message.content or None, embeds=embeds, files=files, view=view
    )


class DiscordRoles:
    """`Roles` over Discord's REST API (no member cache needed)."""

    def __init__(self, client: discord.Client) -> None:
        self._client = client

    async def add(self, guild_id: int, user_id: int, role_id: int, reason: str) -> None:
        """Give the member the role."""
        async with translated_errors(f"add role {role_id} to {user_id}"):
            await self._client.http.add_role(guild_id, user_id, role_id, reason=reason)

    async def remove(self, guild_id: int, user_id: int, role_id: int, reason: str) -> None:
        """Take the role from the member."""
        async with translated_errors(f"remove role {role_id} from {user_id}"):
            await self._client.http.remove_role(guild_id, user_id, role_id, reason=reason)

    async def member_role_ids(self, guild_id: int, user_id: int) -> frozenset[int] | None:
        """The member's current role ids, or None when they are not in the guild."""
        guild = self._client.get_guild(guild_id)
        member = guild.get_member(user_id) if guild else None
        if member is not None:
            return frozenset(role.id for role in member.roles if not role.is_default())
        try:
            async with translated_errors(f"fetch member {user_id}"):
                data = await self._client.http.get_member(guild_id, user_id)
        except TargetGone:
            return None
        return frozenset(int(role_id) for role_id in data.get("roles", []))


class DiscordPublisher:
    """`Publisher` posting through partial messageables (no channel cache needed)."""

    def __init__(self, client: discord.Client) -> None:
        self._client = client

    async def post(self, channel_id: int, message: OutgoingMessage) -> int:
        """Post the message and return its id."""
        channel = self._client.get_partial_messageable(channel_id)
        async with translated_errors(f"post to channel {channel_id}"):
            sent = await send(channel, message)
        return sent.id


class DiscordNotifier:
    """`Notifier` sending direct messages."""

    def __init__(self, client: discord.Client) -> None:
        self._client = client

    async def dm(self, user_id: int, message: OutgoingMessage) -> None:
        """Send a direct message."""
        async with translated_errors(f"DM {user_id}"):
            channel = await self._client.create_dm(discord.Object(user_id))
            await send(channel, message)
