"""discord.py adapters for the ports in `bot/ports.py`."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any, TypeVar

import aiohttp
import discord
from discord import app_commands

from bot.core.access import Caller, Gate
from bot.core.ports import (
    Card,
    DirectMessagesClosed,
    MissingPermissions,
    Notifier,
    OutgoingMessage,
    PortError,
    Publisher,
    Roles,
    Roster,
    TargetGone,
    TemporarilyUnavailable,
)
from bot.discord_limits import (
    BUTTON_LABEL,
    NO_MENTIONS,
    clip,
    fit_content,
    fit_embed,
    fit_embeds,
)
from bot.services.roles import RoleFacts

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


def caller_of(interaction: discord.Interaction) -> Caller:
    """The caller as the access policy sees them, from the bot's view of the guild.

    Permissions are guild-wide (roles, not channel overwrites: an overwrite granting "Manage
    Permissions" on one channel must not open moderator commands) and must also be in what
    Discord sent with the interaction, so a stale cache can only refuse, never allow.
    """
    user = interaction.user
    guild = interaction.guild
    if not isinstance(user, discord.Member) or guild is None:
        return Caller(user.id)
    sent = interaction.permissions.value
    return Caller(
        user.id,
        frozenset(role.id for role in user.roles if not role.is_default()),
        permissions=user.guild_permissions.value & sent,
        top_role_position=user.top_role.position,
        is_guild_owner=guild.owner_id == user.id,
    )


EVERY_MEMBER = "members"
AUDIENCE = "audience"  # the key in a command's or group's `extras`

AppCommand = TypeVar("AppCommand", bound="app_commands.Command[Any, Any, Any]")


def audience(gate: Gate | None) -> Callable[[AppCommand], AppCommand]:
    """Declare who a command is for: a gate of the access policy, or None for every member.

    Put it above `@app_commands.command`; a group declares it once in `extras` (see
    `audience_extras`). Every command must declare one (a test walks them all).
    """

    def declare(command: AppCommand) -> AppCommand:
        command.extras[AUDIENCE] = gate.name if gate else EVERY_MEMBER
        return command

    return declare


def audience_extras(gate: Gate | None) -> dict[str, str]:
    """The `extras` (or a GroupCog's `group_extras`) declaring a whole group's audience."""
    return {AUDIENCE: gate.name if gate else EVERY_MEMBER}


def declared_permissions(gate: Gate) -> discord.Permissions:
    """The default member permissions a command behind `gate` declares to Discord."""
    if gate.default_member_permissions is None:
        raise ValueError(f"the {gate.name} gate declares nothing: its commands show to everyone")
    return discord.Permissions(int(gate.default_member_permissions))


def bot_top_position(interaction: discord.Interaction) -> int:
    """Position of the bot's highest role in the interaction's guild (0 when unknown)."""
    guild = interaction.guild
    return guild.me.top_role.position if guild is not None and guild.me is not None else 0


def role_facts(role: discord.Role) -> RoleFacts:
    """What the role rules need to know of a role."""
    return RoleFacts(
        role.id,
        role.position,
        permissions=role.permissions.value,
        managed=role.managed,
        is_everyone=role.is_default(),
    )


def to_embed(card: Card) -> discord.Embed:
    """Render a `Card` as a discord.py embed (within Discord's limits)."""
    embed = discord.Embed(
        title=card.title, description=card.description or None, colour=card.colour, url=card.url
    )
    for item in card.fields:
        embed.add_field(name=item.name, value=item.value, inline=item.inline)
    if card.footer:
        embed.set_footer(text=card.footer)
    if card.image_file:
        embed.set_image(url=f"attachment://{card.image_file}")
    return fit_embed(embed)


def to_view(message: OutgoingMessage) -> discord.ui.View | None:
    """Render the message's buttons as a view (None when it has none)."""
    if not message.buttons:
        return None
    view = discord.ui.View(timeout=None)
    for button in message.buttons:
        view.add_item(
            discord.ui.Button(
                label=clip(button.label, BUTTON_LABEL),
                custom_id=None if button.url else button.custom_id,
                url=button.url,
                style=_BUTTON_STYLES["link" if button.url else button.style],
            )
        )
    return view


async def send(channel: discord.abc.Messageable, message: OutgoingMessage) -> discord.Message:
    """Send an `OutgoingMessage` to any messageable, within Discord's limits, pinging nobody."""
    embeds = fit_embeds(to_embed(card) for card in message.cards)
    files = [discord.File(io.BytesIO(f.data), filename=f.filename) for f in message.files]
    content = fit_content(message.content)
    view = to_view(message)
    if view is None:
        return await channel.send(
            content=content, embeds=embeds, files=files, allowed_mentions=NO_MENTIONS
        )
    return await channel.send(
        content=content, embeds=embeds, files=files, view=view, allowed_mentions=NO_MENTIONS
    )


class DiscordRoles(Roles):
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

    async def describe(self, guild_id: int, role_id: int) -> RoleFacts | None:
        """The role as it is now, from the cache (kept current by role events) or REST."""
        guild = self._client.get_guild(guild_id)
        if guild is not None:
            role = guild.get_role(role_id)
            return role_facts(role) if role is not None else None
        async with translated_errors(f"fetch the roles of guild {guild_id}"):
            roles = await self._client.http.get_roles(guild_id)
        for data in roles:
            if int(data["id"]) == role_id:
                return RoleFacts(
                    role_id,
                    int(data.get("position", 0)),
                    permissions=int(data.get("permissions", 0)),
                    managed=bool(data.get("managed")),
                    is_everyone=role_id == guild_id,
                )
        return None


class DiscordPublisher(Publisher):
    """`Publisher` posting through partial messageables (no channel cache needed)."""

    def __init__(self, client: discord.Client) -> None:
        self._client = client

    async def post(self, channel_id: int, message: OutgoingMessage) -> int:
        """Post the message and return its id."""
        channel = self._client.get_partial_messageable(channel_id)
        async with translated_errors(f"post to channel {channel_id}"):
            sent = await send(channel, message)
        return sent.id


class DiscordNotifier(Notifier):
    """`Notifier` sending direct messages."""

    def __init__(self, client: discord.Client) -> None:
        self._client = client

    async def dm(self, user_id: int, message: OutgoingMessage) -> None:
        """Send a direct message."""
        async with translated_errors(f"DM {user_id}"):
            channel = await self._client.create_dm(discord.Object(user_id))
            await send(channel, message)


class DiscordRoster(Roster):
    """`Roster` from the gateway's member lists (chunked when needed)."""

    def __init__(self, client: discord.Client) -> None:
        self._client = client

    def guild_ids(self) -> list[int]:
        """The guilds the bot is in."""
        return [guild.id for guild in self._client.guilds]

    async def present_members(self, guild_id: int) -> dict[int, datetime | None] | None:
        """Every human member and their join time; None when the list is incomplete."""
        guild = self._client.get_guild(guild_id)
        if guild is None or not self._client.intents.members:
            return None
        if not guild.chunked:
            await guild.chunk()
        if not guild.chunked:  # a partial list would read as mass leaves
            return None
        return {member.id: member.joined_at for member in guild.members if not member.bot}
