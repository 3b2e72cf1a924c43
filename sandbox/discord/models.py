"""The sandbox's Discord state as plain dataclasses (what tests inspect)."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from datetime import datetime
from enum import IntEnum
from typing import Any

from sandbox.discord.snowflake import snowflake_time


class ChannelType(IntEnum):
    """Discord channel types the sandbox models."""

    TEXT = 0
    DM = 1
    VOICE = 2
    PUBLIC_THREAD = 11
    STAGE_VOICE = 13
    FORUM = 15


class Perm:
    """Permission bits (developers/topics/permissions)."""

    ADMINISTRATOR = 1 << 3
    KICK_MEMBERS = 1 << 1
    BAN_MEMBERS = 1 << 2
    MANAGE_CHANNELS = 1 << 4
    MANAGE_GUILD = 1 << 5
    ADD_REACTIONS = 1 << 6
    VIEW_CHANNEL = 1 << 10
    SEND_MESSAGES = 1 << 11
    MANAGE_MESSAGES = 1 << 13
    EMBED_LINKS = 1 << 14
    ATTACH_FILES = 1 << 15
    READ_MESSAGE_HISTORY = 1 << 16
    MENTION_EVERYONE = 1 << 17
    CONNECT = 1 << 20
    SPEAK = 1 << 21
    MANAGE_ROLES = 1 << 28
    MANAGE_WEBHOOKS = 1 << 29
    USE_APPLICATION_COMMANDS = 1 << 31
    MANAGE_THREADS = 1 << 34
    CREATE_PUBLIC_THREADS = 1 << 35
    SEND_MESSAGES_IN_THREADS = 1 << 38
    MODERATE_MEMBERS = 1 << 40
    ALL = (1 << 51) - 1

    EVERYONE = (
        VIEW_CHANNEL
        | SEND_MESSAGES
        | EMBED_LINKS
        | ATTACH_FILES
        | READ_MESSAGE_HISTORY
        | ADD_REACTIONS
        | CONNECT
        | SPEAK
        | USE_APPLICATION_COMMANDS
        | CREATE_PUBLIC_THREADS
        | SEND_MESSAGES_IN_THREADS
    )
    BOT = EVERYONE | MANAGE_ROLES | MANAGE_CHANNELS | MANAGE_MESSAGES | MANAGE_THREADS


class MessageFlag:
    """Message flag bits used here."""

    EPHEMERAL = 1 << 6
    LOADING = 1 << 7


@dataclass(eq=False)
class User:
    """A Discord user (a person or a bot)."""

    id: int
    username: str
    bot: bool = False
    global_name: str | None = None
    dms_open: bool = True


@dataclass(eq=False)
class Role:
    """A guild role; `position` 0 is @everyone, higher is more powerful."""

    id: int
    guild_id: int
    name: str
    position: int
    permissions: int = 0
    color: int = 0
    hoist: bool = False
    mentionable: bool = False
    managed: bool = False
    bot_id: int | None = None


@dataclass(eq=False)
class Member:
    """A user's membership in one guild."""

    user: User
    guild_id: int
    joined_at: datetime
    role_ids: list[int] = field(default_factory=list)
    nick: str | None = None
    # Rules screening not passed yet, and the guild member flags (DID_REJOIN...).
    pending: bool = False
    flags: int = 0


@dataclass(eq=False)
class ForumTag:
    """A tag a forum channel offers to its posts."""

    id: int
    name: str
    moderated: bool = False
    emoji_name: str | None = None


@dataclass(eq=False)
class Attachment:
    """An uploaded file: the bytes are kept so tests can check them."""

    id: int
    filename: str
    content_type: str | None
    data: bytes
    description: str | None = None

    @property
    def size(self) -> int:
        """Number of bytes."""
        return len(self.data)


@dataclass(eq=False)
class Message:
    """A message; edits by the bot mutate it in place, so a held reference stays current."""

    id: int
    channel_id: int
    guild_id: int | None
    author: User
    content: str = ""
    embeds: list[dict[str, Any]] = field(default_factory=list)
    components: list[dict[str, Any]] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    flags: int = 0
    type: int = 0
    reference_id: int | None = None
    interaction_id: int | None = None
    webhook_id: int | None = None
    edited_at: datetime | None = None
    deleted: bool = False
    thread_id: int | None = None
    reactions: dict[str, list[int]] = field(default_factory=dict)
    nonce: str | None = None  # echoed in MESSAGE_CREATE and the create answer only

    @property
    def created_at(self) -> datetime:
        """When the message was sent (from its snowflake)."""
        return snowflake_time(self.id)

    @property
    def ephemeral(self) -> bool:
        """True when only the interaction's user can see it."""
        return bool(self.flags & MessageFlag.EPHEMERAL)

    @property
    def loading(self) -> bool:
        """True while a deferred response still shows "thinking"."""
        return bool(self.flags & MessageFlag.LOADING)

    @property
    def buttons(self) -> list[dict[str, Any]]:
        """Every button in the message's components, flattened."""
        return [c for c in walk_components(self.components) if c.get("type") == 2]


@dataclass(eq=False)
class Channel:
    """A guild channel, thread, or DM channel; `messages` is its visible history."""

    id: int
    type: ChannelType
    name: str | None
    guild_id: int | None = None
    position: int = 0
    topic: str | None = None
    parent_id: int | None = None
    available_tags: list[ForumTag] = field(default_factory=list)
    owner_id: int | None = None
    applied_tags: list[int] = field(default_factory=list)
    archived: bool = False
    locked: bool = False
    auto_archive_duration: int = 1440
    recipient_id: int | None = None
    messages: list[Message] = field(default_factory=list)

    @property
    def is_thread(self) -> bool:
        """True for threads and forum posts."""
        return self.type == ChannelType.PUBLIC_THREAD

    @property
    def created_at(self) -> datetime:
        """When the channel was created (from its snowflake)."""
        return snowflake_time(self.id)

    def tag(self, name: str) -> ForumTag:
        """Return the forum tag with this name."""
        for tag in self.available_tags:
            if tag.name == name:
                return tag
        raise KeyError(f"forum {self.name!r} has no tag {name!r}")


@dataclass(eq=False)
class Invite:
    """A guild invite link; `uses` counts the members who joined through it."""

    code: str
    guild_id: int
    channel_id: int
    inviter_id: int | None
    created_at: datetime
    uses: int = 0
    max_uses: int = 0  # 0: unlimited
    max_age: int = 0  # seconds; 0: never expires
    temporary: bool = False


class MemberFlag:
    """Guild member flags (developers/resources/guild#guild-member-object-guild-member-flags)."""

    DID_REJOIN = 1 << 0
    COMPLETED_ONBOARDING = 1 << 1
    STARTED_ONBOARDING = 1 << 3


@dataclass(eq=False)
class ScheduledEvent:
    """A guild scheduled event (a live session) and who marked interest."""

    id: int
    guild_id: int
    channel_id: int | None
    name: str
    description: str | None
    start: datetime
    end: datetime | None
    entity_type: int  # 1 stage, 2 voice, 3 external
    creator_id: int
    location: str | None = None
    status: int = 1  # 1 scheduled, 2 active, 3 completed, 4 canceled
    interested: set[int] = field(default_factory=set)


@dataclass(eq=False)
class Guild:
    """A guild with its roles, members, channels (threads included) and voice states."""

    id: int
    name: str
    owner_id: int
    joined_at: datetime
    roles: dict[int, Role] = field(default_factory=dict)
    members: dict[int, Member] = field(default_factory=dict)
    channels: dict[int, Channel] = field(default_factory=dict)
    voice: dict[int, int] = field(default_factory=dict)
    events: dict[int, ScheduledEvent] = field(default_factory=dict)  # scheduled events
    # Command permission overrides an admin set (Server Settings → Integrations):
    # command name → roles allowed to use it whatever its default_member_permissions.
    command_roles: dict[str, set[int]] = field(default_factory=dict)
    # Membership screening (rules to accept) on: new members join `pending`.
    screening: bool = False
    former_member_ids: set[int] = field(default_factory=set)
    invites: dict[str, Invite] = field(default_factory=dict)
    # The vanity URL (discord.gg/<code>), a feature of boosted or partnered guilds.
    vanity_code: str | None = None
    vanity_uses: int = 0

    def permissions(self, member: Member) -> int:
        """The member's guild-level permission bits."""
        if member.user.id == self.owner_id:
            return Perm.ALL
        bits = self.roles[self.id].permissions
        for role_id in member.role_ids:
            bits |= self.roles[role_id].permissions
        return Perm.ALL if bits & Perm.ADMINISTRATOR else bits

    def top_position(self, member: Member) -> int:
        """Position of the member's highest role (0 when only @everyone)."""
        return max((self.roles[r].position for r in member.role_ids), default=0)


@dataclass(eq=False)
class Command:
    """An application command the bot registered."""

    id: int
    application_id: int
    guild_id: int | None
    name: str
    type: int
    description: str
    options: list[dict[str, Any]]
    default_member_permissions: str | None
    version: int
    raw: dict[str, Any]


@dataclass(eq=False)
class Interaction:
    """One interaction sent to the bot, and how the bot answered it."""

    id: int
    token: str
    type: int
    user: User
    guild_id: int | None
    channel_id: int
    data: dict[str, Any]
    message_id: int | None = None
    sent_at: float = field(default_factory=time.perf_counter)
    responded_at: float | None = None
    response_type: int | None = None
    response_data: dict[str, Any] | None = None
    original_id: int | None = None
    trigger_id: int | None = None  # a modal submit: the interaction that opened the modal
    followup_ids: list[int] = field(default_factory=list)
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def latency(self) -> float | None:
        """Seconds from INTERACTION_CREATE sent to the bot's callback received."""
        return None if self.responded_at is None else self.responded_at - self.sent_at

    def touch(self) -> None:
        """Wake whoever waits for this interaction's answer."""
        self.changed.set()


def walk_components(components: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Flatten nested components (action rows, labels, containers) depth first."""
    found: list[dict[str, Any]] = []
    for component in components:
        found.append(component)
        found.extend(walk_components(component.get("components", [])))
        if "component" in component:
            found.extend(walk_components([component["component"]]))
        if "accessory" in component:
            found.extend(walk_components([component["accessory"]]))
    return found
