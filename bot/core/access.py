"""Who may run what: the one access policy every command, cog and service checks.

A `Gate` names the Discord permission a command declares (its default member
permissions, which decide who sees it) and the configured role that also opens it.
The bot's own check is derived from the same gate, so it can never accept someone the
declaration shuts out, unless the guild's config names a role for exactly that.
Plain Python: cogs describe the caller (`Caller`), services decide.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import IntFlag
from typing import Protocol

from bot.core.errors import NotAllowed
from bot.core.text import t


class Permission(IntFlag):
    """Discord's permission bits (developers/topics/permissions)."""

    CREATE_INSTANT_INVITE = 1 << 0
    KICK_MEMBERS = 1 << 1
    BAN_MEMBERS = 1 << 2
    ADMINISTRATOR = 1 << 3
    MANAGE_CHANNELS = 1 << 4
    MANAGE_GUILD = 1 << 5
    ADD_REACTIONS = 1 << 6
    VIEW_AUDIT_LOG = 1 << 7
    PRIORITY_SPEAKER = 1 << 8
    STREAM = 1 << 9
    VIEW_CHANNEL = 1 << 10
    SEND_MESSAGES = 1 << 11
    SEND_TTS_MESSAGES = 1 << 12
    MANAGE_MESSAGES = 1 << 13
    EMBED_LINKS = 1 << 14
    ATTACH_FILES = 1 << 15
    READ_MESSAGE_HISTORY = 1 << 16
    MENTION_EVERYONE = 1 << 17
    USE_EXTERNAL_EMOJIS = 1 << 18
    VIEW_GUILD_INSIGHTS = 1 << 19
    CONNECT = 1 << 20
    SPEAK = 1 << 21
    MUTE_MEMBERS = 1 << 22
    DEAFEN_MEMBERS = 1 << 23
    MOVE_MEMBERS = 1 << 24
    USE_VAD = 1 << 25
    CHANGE_NICKNAME = 1 << 26
    MANAGE_NICKNAMES = 1 << 27
    MANAGE_ROLES = 1 << 28
    MANAGE_WEBHOOKS = 1 << 29
    MANAGE_GUILD_EXPRESSIONS = 1 << 30
    USE_APPLICATION_COMMANDS = 1 << 31
    REQUEST_TO_SPEAK = 1 << 32
    MANAGE_EVENTS = 1 << 33
    MANAGE_THREADS = 1 << 34
    CREATE_PUBLIC_THREADS = 1 << 35
    CREATE_PRIVATE_THREADS = 1 << 36
    USE_EXTERNAL_STICKERS = 1 << 37
    SEND_MESSAGES_IN_THREADS = 1 << 38
    USE_EMBEDDED_ACTIVITIES = 1 << 39
    MODERATE_MEMBERS = 1 << 40
    VIEW_CREATOR_MONETIZATION_ANALYTICS = 1 << 41
    USE_SOUNDBOARD = 1 << 42
    CREATE_GUILD_EXPRESSIONS = 1 << 43
    CREATE_EVENTS = 1 << 44
    USE_EXTERNAL_SOUNDS = 1 << 45
    SEND_VOICE_MESSAGES = 1 << 46
    SET_VOICE_CHANNEL_STATUS = 1 << 48
    SEND_POLLS = 1 << 49
    USE_EXTERNAL_APPS = 1 << 50
    PIN_MESSAGES = 1 << 51
    BYPASS_SLOWMODE = 1 << 52

    @property
    def label(self) -> str:
        """The name Discord's client shows ("Manage Server" for MANAGE_GUILD)."""
        if self in _LABELS:
            return _LABELS[self]
        return self.name.replace("_", " ").title() if self.name else f"permission {int(self)}"

    def labels(self) -> list[str]:
        """The client's names of every bit set here, lowest bit first."""
        return [Permission(bit).label for bit in _bits(int(self))]


_LABELS = {
    Permission.MANAGE_GUILD: "Manage Server",
    Permission.MANAGE_GUILD_EXPRESSIONS: "Manage Expressions",
    Permission.MODERATE_MEMBERS: "Timeout Members",
    Permission.USE_VAD: "Use Voice Activity",
    Permission.VIEW_GUILD_INSIGHTS: "View Server Insights",
}


def _bits(value: int) -> list[int]:
    return [1 << n for n in range(value.bit_length()) if value >> n & 1]


class GuildRoles(Protocol):
    """The roles a guild's config names (`bot.settings.GuildConfig` is one)."""

    @property
    def moderator_role_id(self) -> int:
        """The moderators' role (0: none)."""
        ...

    @property
    def owner_role_id(self) -> int:
        """The owners' role (0: none)."""
        ...


@dataclass(frozen=True)
class Caller:
    """Who runs a command, as far as access goes (filled by the cog from Discord)."""

    user_id: int
    role_ids: frozenset[int] = frozenset()
    permissions: int = 0  # guild-level permission bits
    top_role_position: int = 0  # 0: only @everyone
    is_guild_owner: bool = False

    def has(self, permission: Permission) -> bool:
        """True when the caller holds every bit (owners and administrators hold all)."""
        if self.is_guild_owner or self.permissions & Permission.ADMINISTRATOR:
            return True
        return self.permissions & permission == permission

    def outranks(self, position: int) -> bool:
        """True when a role at `position` sits below the caller's highest role."""
        return self.is_guild_owner or position < self.top_role_position


@dataclass(frozen=True)
class Gate:
    """One kind of access: the permission that opens it and the configured role that also does."""

    name: str
    permission: Permission
    # False: everyone sees the command (the role cannot be declared to Discord); the bot checks.
    declared: bool
    configured_role: Callable[[GuildRoles], int] | None
    refusal_text: Callable[[], str]  # called when shown, so it speaks the current language

    @property
    def refusal(self) -> str:
        """The private refusal for those who do not pass."""
        return self.refusal_text()

    @property
    def default_member_permissions(self) -> Permission | None:
        """What the command declares to Discord (None: visible to everyone)."""
        return self.permission if self.declared else None


MODERATORS = Gate(
    "moderators",
    Permission.MANAGE_ROLES,
    declared=True,
    configured_role=lambda guild: guild.moderator_role_id,
    refusal_text=lambda: t(
        "Only moderators can do this: you need Manage Roles or the moderator role."
    ),
)
SERVER_MANAGERS = Gate(
    "server managers",
    Permission.MANAGE_GUILD,
    declared=True,
    configured_role=None,
    refusal_text=lambda: t(
        "Only server managers can change Lyceum's setup: you need Manage Server."
    ),
)
OWNERS = Gate(
    "owners",
    Permission.MANAGE_GUILD,
    declared=False,
    configured_role=lambda guild: guild.owner_role_id,
    refusal_text=lambda: t(
        "Only the server's owners can read stats: you need Manage Server or the owners role."
    ),
)
GATES = (MODERATORS, SERVER_MANAGERS, OWNERS)


class AccessPolicy:
    """Decides, from the config and what Discord says of the caller, who passes which gate."""

    def __init__(self, guild_roles: Callable[[int], GuildRoles | None]) -> None:
        self._guild_roles = guild_roles  # e.g. `settings.guild`

    def allows(self, gate: Gate, guild_id: int, caller: Caller) -> bool:
        """True when the caller passes the gate in this guild."""
        if caller.has(gate.permission):
            return True
        guild = self._guild_roles(guild_id)
        role_id = gate.configured_role(guild) if guild and gate.configured_role else 0
        return bool(role_id) and role_id in caller.role_ids

    def require(self, gate: Gate, guild_id: int, caller: Caller) -> None:
        """Raise `NotAllowed` (with the gate's private refusal) unless the caller passes."""
        if not self.allows(gate, guild_id, caller):
            raise NotAllowed(gate.refusal)
