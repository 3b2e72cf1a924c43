"""Ports: what services may ask of Discord, as small Protocols with plain values.

Adapters in `bot/discord_ports.py` implement them with discord.py; tests may use
the sandbox through those same adapters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, runtime_checkable


class PortError(Exception):
    """Discord refused or failed an action."""


class MissingPermissions(PortError):
    """Discord answered 403 / 50013: the bot's role is too low or lacks a permission."""


class TargetGone(PortError):
    """The member, channel or message no longer exists (404)."""


class TemporarilyUnavailable(PortError):
    """Discord failed (5xx, 429, network) even after discord.py's own retries."""


class DirectMessagesClosed(PortError):
    """The member does not accept direct messages from the bot (50007)."""


@dataclass(frozen=True)
class EmbedField:
    """One name/value pair of an embed."""

    name: str
    value: str
    inline: bool = True


@dataclass(frozen=True)
class Card:
    """A Discord-independent description of an embed."""

    title: str
    description: str = ""
    colour: int | None = None
    fields: tuple[EmbedField, ...] = ()
    footer: str = ""
    url: str | None = None
    image_file: str | None = None  # name of an attached file to show as the image


@dataclass(frozen=True)
class Button:
    """A button: either a `custom_id` the bot handles or a link `url`."""

    label: str
    custom_id: str | None = None
    url: str | None = None
    style: str = "primary"  # primary | secondary | success | danger | link


@dataclass(frozen=True)
class Attachment:
    """A file to upload with a message."""

    filename: str
    data: bytes


@dataclass(frozen=True)
class RoleFacts:
    """A guild role as the role rules see it (adapters and cogs fill it from `discord.Role`)."""

    id: int
    position: int  # 0 is @everyone; higher is more powerful
    permissions: int = 0
    managed: bool = False  # bot, booster and integration roles: only Discord assigns them
    is_everyone: bool = False

    @property
    def mention(self) -> str:
        """`<@&id>`: shows the role's name without pinging (replies mention nobody)."""
        return f"<@&{self.id}>"


@dataclass(frozen=True)
class OutgoingMessage:
    """What to post: text, embeds, buttons and files."""

    content: str = ""
    cards: tuple[Card, ...] = ()
    buttons: tuple[Button, ...] = ()
    files: tuple[Attachment, ...] = field(default=())


class Roles(Protocol):
    """Adds and removes roles of guild members."""

    async def add(self, guild_id: int, user_id: int, role_id: int, reason: str) -> None:
        """Give the member the role."""
        ...

    async def remove(self, guild_id: int, user_id: int, role_id: int, reason: str) -> None:
        """Take the role from the member."""
        ...

    async def member_role_ids(self, guild_id: int, user_id: int) -> frozenset[int] | None:
        """The member's current role ids, or None when they are not in the guild."""
        ...

    async def describe(self, guild_id: int, role_id: int) -> RoleFacts | None:
        """The role as it is now (permissions, position), or None when it does not exist."""
        ...


class Publisher(Protocol):
    """Posts messages to guild channels."""

    async def post(self, channel_id: int, message: OutgoingMessage) -> int:
        """Post the message and return its id."""
        ...


class Notifier(Protocol):
    """Sends direct messages to members."""

    async def dm(self, user_id: int, message: OutgoingMessage) -> None:
        """Send a direct message."""
        ...


class Roster(Protocol):
    """Who is in each guild right now, as Discord lists them."""

    def guild_ids(self) -> list[int]:
        """The guilds the bot is in."""
        ...

    async def present_members(self, guild_id: int) -> dict[int, datetime | None] | None:
        """Every human member (user id → when they joined); None when the list is partial."""
        ...


@runtime_checkable
class Standing(Protocol):
    """What one feature may ask about a member's paid tiers (billing answers)."""

    async def active_tier_keys(self, guild_id: int, user_id: int) -> frozenset[str]:
        """The tiers the member is entitled to right now."""
        ...


@runtime_checkable
class Levels(Protocol):
    """What one feature may ask about a member's points level (points answers)."""

    async def level_of(self, guild_id: int, user_id: int) -> int:
        """The member's level number (0 = the first level)."""
        ...

    async def points_of(self, guild_id: int, user_id: int) -> int:
        """The member's all-time points."""
        ...


@runtime_checkable
class LogRetention(Protocol):
    """Purging old raw interaction rows without changing any past number (stats answers)."""

    async def purge_interactions(self, guild_id: int, before: datetime) -> int:
        """Delete the guild's raw rows older than `before` once rolled up; how many went."""
        ...


@runtime_checkable
class DirectMessages(Protocol):
    """Whether any feature may DM a member (onboarding answers: `/profile dms off|on`)."""

    async def may_dm(self, guild_id: int, user_id: int) -> bool:
        """False when the member turned direct messages from the bot off."""
        ...
