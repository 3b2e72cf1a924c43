"""A local Discord stand-in (REST API v10 + gateway) and a driver that acts as people."""

from sandbox.discord.calls import Call, CallLog
from sandbox.discord.driver import CommandNotAvailable, Person, SandboxGuild
from sandbox.discord.errors import DiscordError
from sandbox.discord.faults import Fault, Faults
from sandbox.discord.models import (
    Attachment,
    Channel,
    ChannelType,
    Command,
    ForumTag,
    Guild,
    Interaction,
    Invite,
    Member,
    Message,
    Perm,
    Role,
    User,
)
from sandbox.discord.reply import Modal, Reply
from sandbox.discord.server import DiscordSandbox, Event

__all__ = [
    "Attachment",
    "Call",
    "CallLog",
    "Channel",
    "ChannelType",
    "Command",
    "CommandNotAvailable",
    "DiscordError",
    "DiscordSandbox",
    "Event",
    "Fault",
    "Faults",
    "ForumTag",
    "Guild",
    "Interaction",
    "Invite",
    "Member",
    "Message",
    "Modal",
    "Perm",
    "Person",
    "Reply",
    "Role",
    "SandboxGuild",
    "User",
]
