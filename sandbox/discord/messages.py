"""Messages, reactions, threads and DMs: state changes plus the events Discord sends for them."""

from __future__ import annotations

import time
from typing import Any

from sandbox.discord import payloads
from sandbox.discord.bodies import MessageBody, empty_message
from sandbox.discord.errors import DiscordError, cannot_dm, invalid_form, unknown
from sandbox.discord.models import Channel, ChannelType, Message, Perm, User
from sandbox.discord.snowflake import now
from sandbox.discord.state import State

MAX_THREAD_NAME = 100


NONCE_WINDOW_S = 300.0


def thread_archived() -> DiscordError:
    """Discord's refusal to change or react in an archived thread."""
    return DiscordError(400, 50083, "Thread is archived")


class Messages:
    """Creates, edits and deletes messages and threads, dispatching what the bot would see."""

    def __init__(self, state: State) -> None:
        self.state = state
        # Discord: with `enforce_nonce`, a nonce the same author used in the same channel
        # within the past few minutes returns that message and creates nothing.
        self.nonce_window_s = NONCE_WINDOW_S
        self._nonces: dict[tuple[int, int, str], tuple[int, float]] = {}
        self.nonce_repeats = 0  # creates answered with an earlier message

    def by_nonce(self, channel: Channel, author: User, body: MessageBody) -> Message | None:
        """The message an enforced nonce already created (within the window), if any."""
        if body.nonce is None or not body.enforce_nonce:
            return None
        seen = self._nonces.get((channel.id, author.id, body.nonce))
        if seen is None or time.monotonic() - seen[1] > self.nonce_window_s:
            return None
        found = self.state.messages.get(seen[0])
        return found if found is not None and not found.deleted else None

    def post(
        self,
        channel: Channel,
        author: User,
        body: MessageBody,
        *,
        type: int = 0,
        interaction_id: int | None = None,
        webhook_id: int | None = None,
        extra_flags: int = 0,
        message_id: int | None = None,
        allow_empty: bool = False,
    ) -> Message:
        """Create a message; unless ephemeral it joins the history and MESSAGE_CREATE goes out."""
        if webhook_id is None:
            self._check_can_post(channel, author)
        if body.is_empty() and not allow_empty:
            raise empty_message()
        if body.reference_id is not None:
            referenced = self.state.messages.get(body.reference_id)
            if referenced is None or referenced.channel_id != channel.id:
                raise invalid_form(
                    "message_reference", "Unknown message", "MESSAGE_REFERENCE_UNKNOWN_MESSAGE"
                )
        message = Message(
            id=message_id or self.state.ids.next(),
            channel_id=channel.id,
            guild_id=channel.guild_id,
            author=author,
            content=body.content or "",
            embeds=body.embeds or [],
            components=body.components or [],
            attachments=body.new_attachments,
            flags=(body.flags or 0) | extra_flags,
            type=19 if body.reference_id is not None and type == 0 else type,
            reference_id=body.reference_id,
            interaction_id=interaction_id,
            webhook_id=webhook_id,
            nonce=body.nonce,
        )
        if body.nonce is not None and body.enforce_nonce:
            self._nonces[(channel.id, author.id, body.nonce)] = (message.id, time.monotonic())
        self._store(message)
        if not message.ephemeral:
            channel.messages.append(message)
            data = payloads.message_create(message, self.state)
            if message.nonce is not None:
                data["nonce"] = message.nonce
            self.state.dispatch("MESSAGE_CREATE", data, channel.guild_id)
        return message

    def _check_can_post(self, channel: Channel, author: User) -> None:
        """Discord's rules for posting: text channels only, open DMs, archived threads reopen."""
        if channel.type in (ChannelType.FORUM, ChannelType.VOICE, ChannelType.STAGE_VOICE):
            raise DiscordError(400, 50008, "Cannot send messages in a non-text channel")
        recipient = self.state.users.get(channel.recipient_id or 0)
        if author.bot and recipient is not None and not recipient.dms_open:
            raise cannot_dm()
        if channel.is_thread and channel.archived:
            guild = self.state.guild(channel.guild_id or 0)
            if (
                channel.locked
                and not self.state.permissions_in(guild, author.id) & Perm.MANAGE_THREADS
            ):
                raise thread_archived()
            self.update_channel(channel, {"archived": False})

    def _store(self, message: Message) -> None:
        self.state.messages[message.id] = message
        for attachment in message.attachments:
            self.state.attachments[attachment.id] = attachment

    def edit(self, message: Message, body: MessageBody, *, clear_flags: int = 0) -> Message:
        """Apply an edit; MESSAGE_UPDATE goes out unless the message is ephemeral."""
        if body.content is not None:
            message.content = body.content
        if body.embeds is not None:
            message.embeds = body.embeds
        if body.components is not None:
            message.components = body.components
        if body.kept_attachment_ids is not None:
            message.attachments = [
                a for a in message.attachments if a.id in body.kept_attachment_ids
            ]
        message.attachments.extend(body.new_attachments)
        message.flags &= ~clear_flags
        message.edited_at = now()
        self._store(message)
        if not message.ephemeral:
            self.state.dispatch(
                "MESSAGE_UPDATE", payloads.message_create(message, self.state), message.guild_id
            )
        return message

    def delete(self, message: Message) -> None:
        """Delete a message: MESSAGE_DELETE unless it was ephemeral."""
        message.deleted = True
        channel = self.state.channels[message.channel_id]
        if message in channel.messages:
            channel.messages.remove(message)
        if message.ephemeral:
            return
        data: dict[str, Any] = {"id": str(message.id), "channel_id": str(message.channel_id)}
        if message.guild_id is not None:
            data["guild_id"] = str(message.guild_id)
        self.state.dispatch("MESSAGE_DELETE", data, message.guild_id)

    def react(self, message: Message, who: User, emoji: str) -> None:
        """Add a reaction: MESSAGE_REACTION_ADD (refused in an archived thread, 50083)."""
        channel = self.state.channels.get(message.channel_id)
        if channel is not None and channel.is_thread and channel.archived:
            raise thread_archived()
        users = message.reactions.setdefault(emoji, [])
        if who.id in users:
            return
        users.append(who.id)
        data: dict[str, Any] = {
            "user_id": str(who.id),
            "channel_id": str(message.channel_id),
            "message_id": str(message.id),
            "emoji": {"id": None, "name": emoji},
            "message_author_id": str(message.author.id),
            "burst": False,
            "burst_colors": [],
            "type": 0,
        }
        if message.guild_id is not None:
            data["guild_id"] = str(message.guild_id)
            reactor = self.state.guilds[message.guild_id].members.get(who.id)
            if reactor is not None:
                data["member"] = payloads.member(reactor)
        self.state.dispatch("MESSAGE_REACTION_ADD", data, message.guild_id)

    def open_dm(self, who: User) -> Channel:
        """The bot's DM channel with a user (created once)."""
        channel_id = self.state.dm_channels.get(who.id)
        if channel_id is None:
            channel = Channel(self.state.ids.next(), ChannelType.DM, None, recipient_id=who.id)
            self.state.channels[channel.id] = channel
            self.state.dm_channels[who.id] = channel.id
            return channel
        return self.state.channels[channel_id]

    def start_thread(
        self,
        parent: Channel,
        owner: User,
        name: str,
        *,
        starter: Message | None = None,
        applied_tags: list[int] | None = None,
        auto_archive_duration: int | None = None,
    ) -> Channel:
        """Create a public thread (or forum post): THREAD_CREATE with newly_created."""
        if parent.guild_id is None or parent.type not in (ChannelType.TEXT, ChannelType.FORUM):
            raise DiscordError(400, 50024, "Cannot execute action on this channel type")
        if not name or len(name) > MAX_THREAD_NAME:
            raise invalid_form(
                "name", "Must be between 1 and 100 in length.", "BASE_TYPE_BAD_LENGTH"
            )
        known_tags = {t.id: t for t in parent.available_tags}
        for tag in applied_tags or []:
            if tag not in known_tags:
                raise invalid_form("applied_tags", "Unknown tag", "BASE_TYPE_CHOICES")
            if known_tags[tag].moderated and not self._manages_threads(parent, owner):
                raise DiscordError(403, 50013, "Missing Permissions")
        if starter is not None and starter.thread_id is not None:
            raise DiscordError(400, 160004, "A thread has already been created for this message")
        thread = Channel(
            starter.id if starter else self.state.ids.next(),
            ChannelType.PUBLIC_THREAD,
            name,
            guild_id=parent.guild_id,
            parent_id=parent.id,
            owner_id=owner.id,
            applied_tags=list(applied_tags or []),
            auto_archive_duration=auto_archive_duration or 1440,
        )
        if starter is not None:
            starter.thread_id = thread.id
        self.state.guilds[parent.guild_id].channels[thread.id] = thread
        self.state.channels[thread.id] = thread
        data = {**payloads.channel(thread, self.state), "newly_created": True}
        self.state.dispatch("THREAD_CREATE", data, parent.guild_id)
        return thread

    def update_channel(self, channel: Channel, changes: dict[str, Any]) -> Channel:
        """Apply a channel PATCH: THREAD_UPDATE for threads, CHANNEL_UPDATE otherwise.

        An archived thread only takes a change that unarchives it (Discord: 50083).
        """
        if channel.is_thread and channel.archived and changes.get("archived") is not False:
            raise thread_archived()
        for key in ("name", "topic", "archived", "locked", "auto_archive_duration"):
            if changes.get(key) is not None:
                setattr(channel, key, changes[key])
        if changes.get("applied_tags") is not None:
            parent = self.state.channels.get(channel.parent_id or 0)
            known = {t.id for t in parent.available_tags} if parent else set()
            tags = [int(t) for t in changes["applied_tags"]]
            if any(t not in known for t in tags):
                raise invalid_form("applied_tags", "Unknown tag", "BASE_TYPE_CHOICES")
            channel.applied_tags = tags
        event = "THREAD_UPDATE" if channel.is_thread else "CHANNEL_UPDATE"
        self.state.dispatch(event, payloads.channel(channel, self.state), channel.guild_id)
        return channel

    def _manages_threads(self, channel: Channel, who: User) -> bool:
        """Only members with Manage Threads may apply a moderated forum tag."""
        guild = self.state.guild(channel.guild_id or 0)
        return bool(self.state.permissions_in(guild, who.id) & Perm.MANAGE_THREADS)

    def archive(self, thread: Channel, *, locked: bool = False) -> Channel:
        """Discord archives an idle thread (or a moderator does): THREAD_UPDATE."""
        thread.archived, thread.locked = True, locked
        self.state.dispatch("THREAD_UPDATE", payloads.channel(thread, self.state), thread.guild_id)
        return thread

    def find(self, channel_id: int, message_id: int) -> Message:
        """A visible message of the channel, or 404 Unknown Message."""
        found = self.state.messages.get(message_id)
        if found is None or found.deleted or found.channel_id != channel_id or found.ephemeral:
            raise unknown("Message")
        return found
