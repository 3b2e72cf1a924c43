"""Act as people: members who join, chat, react, run commands, click buttons and fill modals."""

# ruff: noqa: ASYNC109  # test-facing helpers take a plain `timeout` on purpose

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from sandbox.discord import commands
from sandbox.discord.backend import Backend
from sandbox.discord.bodies import MessageBody, Upload, parse_message_body
from sandbox.discord.invoke import (
    Resolver,
    as_user,
    chat_input_data,
    component_data,
    context_menu_data,
    find_component,
)
from sandbox.discord.models import (
    Channel,
    ChannelType,
    Command,
    Guild,
    Invite,
    Member,
    MemberFlag,
    Message,
    Perm,
    Role,
    User,
)
from sandbox.discord.reply import Modal, Reply
from sandbox.discord.waiting import poll

DEFAULT_TIMEOUT = 5.0
APPLICATION_COMMAND, COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 2, 3, 4, 5
CHAT_INPUT, USER_COMMAND, MESSAGE_COMMAND = 1, 2, 3


Named = TypeVar("Named", Role, Channel)


def _named(items: Iterable[Named], name: str, kind: str) -> Named:
    found = [item for item in items if item.name == name]
    if not found:
        raise LookupError(f"no {kind} {name!r}; there are {[i.name for i in items]}")
    return found[0]


class CommandNotAvailable(PermissionError):
    """The member cannot see this command (its default_member_permissions exclude them)."""


class SandboxGuild:
    """A guild as a test sets it up: roles, channels, and people who join."""

    def __init__(self, backend: Backend, model: Guild) -> None:
        self._backend = backend
        self.model = model

    @property
    def id(self) -> int:
        """The guild id."""
        return self.model.id

    @property
    def name(self) -> str:
        """The guild name."""
        return self.model.name

    @property
    def roles(self) -> list[Role]:
        """Roles from the bottom (@everyone) to the top."""
        return sorted(self.model.roles.values(), key=lambda r: r.position)

    @property
    def bot_role(self) -> Role:
        """The bot's managed role."""
        return next(r for r in self.model.roles.values() if r.bot_id is not None)

    @property
    def owner(self) -> Person:
        """The guild owner (has every permission)."""
        return Person(self._backend, self, self._backend.state.owner)

    @property
    def members(self) -> list[Member]:
        """Everyone in the guild, the bot and the owner included."""
        return list(self.model.members.values())

    @property
    def text_channels(self) -> list[Channel]:
        """Text channels by position."""
        found = [c for c in self.model.channels.values() if c.type == ChannelType.TEXT]
        return sorted(found, key=lambda c: c.position)

    def role(self, name: str) -> Role:
        """The role with this name."""
        return _named(self.model.roles.values(), name, "role")

    def channel(self, name: str) -> Channel:
        """The channel or thread with this name."""
        return _named(self.model.channels.values(), name, "channel")

    def person(self, who: User | str) -> Person:
        """A Person for a member already in the guild (by user or username)."""
        for member in self.model.members.values():
            if member.user is who or member.user.username == who:
                return Person(self._backend, self, member.user)
        raise LookupError(f"{who!r} is not in {self.name}")

    def create_role(
        self,
        name: str,
        *,
        position: int | None = None,
        permissions: int = 0,
        color: int = 0,
        hoist: bool = False,
        mentionable: bool = False,
    ) -> Role:
        """Add a role; new roles go just above @everyone unless `position` says otherwise."""
        return self._backend.state.create_role(
            self.model,
            name,
            position=position,
            permissions=permissions,
            color=color,
            hoist=hoist,
            mentionable=mentionable,
        )

    def create_text_channel(self, name: str, *, topic: str | None = None) -> Channel:
        """Add a text channel."""
        return self._backend.state.create_channel(self.model, ChannelType.TEXT, name, topic=topic)

    def create_forum_channel(
        self, name: str, *, tags: Iterable[str] = (), moderated: Iterable[str] = ()
    ) -> Channel:
        """Add a forum channel offering these tags (`moderated` ones: Manage Threads only)."""
        return self._backend.state.create_channel(
            self.model, ChannelType.FORUM, name, tags=list(tags), moderated=frozenset(moderated)
        )

    def archive(self, thread: Channel, *, locked: bool = False) -> None:
        """Discord archives the idle thread (locked: only Manage Threads reopens it)."""
        self._backend.messages.archive(thread, locked=locked)

    def create_voice_channel(self, name: str) -> Channel:
        """Add a voice channel."""
        return self._backend.state.create_channel(self.model, ChannelType.VOICE, name)

    def create_stage_channel(self, name: str) -> Channel:
        """Add a stage channel (members join it like a voice channel)."""
        return self._backend.state.create_channel(self.model, ChannelType.STAGE_VOICE, name)

    async def join(
        self, who: str | User | Person, *, bot: bool = False, invite: str | None = None
    ) -> Person:
        """A new user (by name) or a returning one joins, through `invite` (a code or the
        vanity code) if given: its uses go up, then GUILD_MEMBER_ADD."""
        state = self._backend.state
        user = state.new_user(who, bot=bot) if isinstance(who, str) else as_user(who)
        state.add_member(self.model, user, invite=invite)
        return Person(self._backend, self, user)

    def create_invite(
        self,
        channel: Channel | None = None,
        *,
        by: Person | User | None = None,
        code: str | None = None,
        max_uses: int = 0,
        max_age: int = 0,
    ) -> Invite:
        """Someone (the owner by default) creates an invite: INVITE_CREATE."""
        where = channel or self.text_channels[0]
        inviter = as_user(by) if by is not None else self._backend.state.owner
        return self._backend.state.create_invite(
            self.model, where, inviter, code=code, max_uses=max_uses, max_age=max_age
        )

    def delete_invite(self, code: str) -> None:
        """Someone revokes an invite: INVITE_DELETE."""
        self._backend.state.delete_invite(self.model, code)

    def set_vanity_url(self, code: str | None) -> None:
        """The guild gets (or loses) its vanity URL discord.gg/<code>: GUILD_UPDATE."""
        self._backend.state.set_vanity(self.model, code)

    @property
    def invites(self) -> dict[str, Invite]:
        """The guild's invites by code (with their uses)."""
        return self.model.invites

    def use_screening(self, on: bool = True) -> None:
        """An admin turns membership screening (rules to accept) on: new members are pending."""
        self.model.screening = on

    def allow_command(self, name: str, role: Role) -> None:
        """An admin lets a role use /name whatever its default permissions (an override)."""
        self.model.command_roles.setdefault(name, set()).add(role.id)

    def edit_role(self, role: Role, *, permissions: int) -> None:
        """An admin changes a role's permissions: GUILD_ROLE_UPDATE."""
        self._backend.state.update_role(self.model, role, {"permissions": permissions})

    async def give_role(self, who: Person | User, role: Role) -> None:
        """A moderator gives a role by hand: GUILD_MEMBER_UPDATE."""
        member = self.model.members[as_user(who).id]
        self._backend.state.set_roles(self.model, member, [*member.role_ids, role.id], by_bot=False)

    async def take_role(self, who: Person | User, role: Role) -> None:
        """A moderator takes a role away by hand: GUILD_MEMBER_UPDATE."""
        member = self.model.members[as_user(who).id]
        kept = [r for r in member.role_ids if r != role.id]
        self._backend.state.set_roles(self.model, member, kept, by_bot=False)


class Person:
    """One user acting in one guild, through the Discord client."""

    def __init__(self, backend: Backend, guild: SandboxGuild, user: User) -> None:
        self._backend = backend
        self.guild = guild
        self.user = user

    def __repr__(self) -> str:
        return f"<Person {self.user.username} id={self.user.id}>"

    @property
    def id(self) -> int:
        """The user id."""
        return self.user.id

    @property
    def mention(self) -> str:
        """`<@id>`, as typed in a message."""
        return f"<@{self.user.id}>"

    @property
    def member(self) -> Member:
        """The membership (raises KeyError after leaving)."""
        return self.guild.model.members[self.user.id]

    @property
    def in_guild(self) -> bool:
        """Whether the person is currently in the guild."""
        return self.user.id in self.guild.model.members

    @property
    def roles(self) -> list[Role]:
        """The person's roles (without @everyone)."""
        return [self.guild.model.roles[r] for r in self.member.role_ids]

    def has_role(self, role: Role | str) -> bool:
        """Whether the person holds the role (object or name)."""
        return any(r is role or r.name == role for r in self.roles) if self.in_guild else False

    @property
    def dms(self) -> list[Message]:
        """Messages in the person's DM channel with the bot."""
        channel_id = self._backend.state.dm_channels.get(self.user.id)
        return list(self._backend.state.channels[channel_id].messages) if channel_id else []

    @property
    def dms_open(self) -> bool:
        """Whether the bot may DM this person (False: 403 50007)."""
        return self.user.dms_open

    @dms_open.setter
    def dms_open(self, value: bool) -> None:
        self.user.dms_open = value

    # -- commands --------------------------------------------------------------

    async def _command(self, name: str, kind: int, timeout: float) -> Command:
        state = self._backend.state

        def lookup() -> Command | None:
            return commands.find(state, self.guild.id, name, kind)

        try:
            command = await poll(lookup, timeout)
        except TimeoutError:
            names = [
                c.name for scope in (self.guild.id, None) for c in state.commands.get(scope, [])
            ]
            raise LookupError(
                f"the bot registered no command {name!r} (kind {kind}): {names}"
            ) from None
        if not self._may_use(command):
            raise CommandNotAvailable(f"{self.user.username} cannot see /{name}")
        return command

    def _may_use(self, command: Command) -> bool:
        """Discord's check: every bit of default_member_permissions ("0": administrators only),
        unless an admin's override allows one of the member's roles."""
        if command.default_member_permissions is None:
            return True
        # An override for @everyone names the guild's id, as on Discord.
        roles = {*self.member.role_ids, self.guild.id}
        if self.guild.model.command_roles.get(command.name, set()) & roles:
            return True
        needed = int(command.default_member_permissions)
        held = self.guild.model.permissions(self.member)
        return bool(held & Perm.ADMINISTRATOR) or (needed != 0 and held & needed == needed)

    def _channel(self, where: Channel | None) -> Channel:
        if where is not None:
            return where
        if not self.guild.text_channels:
            raise LookupError(f"{self.guild.name} has no text channel to run commands in")
        return self.guild.text_channels[0]

    def _send(
        self, channel: Channel, kind: int, data: dict[str, Any], message: Message | None = None
    ) -> Reply:
        interaction = self._backend.interactions.send(self.user, channel, kind, data, message)
        return Reply(self._backend.state, interaction)

    async def run(
        self,
        command: str,
        *,
        where: Channel | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        options: dict[str, Any] | None = None,
        **kw_options: Any,
    ) -> Reply:
        """Run "/name [group] [sub]" with options; wait for the (deferred) answer."""
        path = command.lstrip("/").split()
        found = await self._command(path[0], CHAT_INPUT, timeout)
        resolver = Resolver(self._backend.state, self.guild.model)
        data = chat_input_data(
            found, path, {**(options or {}), **kw_options}, resolver, self.member
        )
        return await self._send(self._channel(where), APPLICATION_COMMAND, data).wait(timeout)

    async def autocomplete(
        self,
        command: str,
        option: str,
        typed: str,
        *,
        where: Channel | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        **filled: Any,
    ) -> list[dict[str, Any]]:
        """Type `typed` into an option; return the bot's choices."""
        path = command.lstrip("/").split()
        found = await self._command(path[0], CHAT_INPUT, timeout)
        resolver = Resolver(self._backend.state, self.guild.model)
        data = chat_input_data(
            found, path, {**filled, option: typed}, resolver, self.member, focused=option
        )
        reply = await self._send(self._channel(where), AUTOCOMPLETE, data).wait(timeout)
        return reply.choices

    async def run_message_command(
        self, name: str, message: Message, *, timeout: float = DEFAULT_TIMEOUT
    ) -> Reply:
        """Use a message context-menu command on a message."""
        found = await self._command(name, MESSAGE_COMMAND, timeout)
        data = context_menu_data(found, message, Resolver(self._backend.state, self.guild.model))
        channel = self._backend.state.channels[message.channel_id]
        return await self._send(channel, APPLICATION_COMMAND, data).wait(timeout)

    async def run_user_command(
        self,
        name: str,
        target: Person | User,
        *,
        where: Channel | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> Reply:
        """Use a user context-menu command on someone."""
        found = await self._command(name, USER_COMMAND, timeout)
        data = context_menu_data(
            found, as_user(target), Resolver(self._backend.state, self.guild.model)
        )
        return await self._send(self._channel(where), APPLICATION_COMMAND, data).wait(timeout)

    # -- components and modals ----------------------------------------------------

    async def click(
        self, on: Message | Reply, button: str, *, timeout: float = DEFAULT_TIMEOUT
    ) -> Reply:
        """Click a button (by label or custom_id) on a message or a reply's message."""
        return await self._component(on, button, None, timeout)

    async def select(
        self,
        on: Message | Reply,
        custom_id: str,
        values: list[str],
        *,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> Reply:
        """Pick values in a select menu."""
        return await self._component(on, custom_id, values, timeout)

    async def _component(
        self, on: Message | Reply, key: str, values: list[str] | None, timeout: float
    ) -> Reply:
        message = on.message if isinstance(on, Reply) else on
        if message is None:
            raise LookupError(f"{on!r} has no message to interact with")
        data = component_data(find_component(message, key), values)
        channel = self._backend.state.channels[message.channel_id]
        return await self._send(channel, COMPONENT, data, message).wait(timeout)

    async def submit_modal(
        self, modal: Modal | None, values: dict[str, Any], *, timeout: float = DEFAULT_TIMEOUT
    ) -> Reply:
        """Fill a modal's fields (by custom_id or label) and submit it."""
        if modal is None:
            raise ValueError("the bot did not open a modal")
        origin = modal.interaction
        data = {"custom_id": modal.custom_id, "components": modal.submission(values)}
        message = self._backend.state.messages.get(origin.message_id or 0)
        channel = self._backend.state.channels[origin.channel_id]
        reply = self._send(channel, MODAL_SUBMIT, data, message)
        reply.interaction.trigger_id = origin.id  # set before the bot can answer (no await)
        return await reply.wait(timeout)

    # -- chatting -------------------------------------------------------------------

    async def say(
        self,
        channel: Channel,
        content: str,
        *,
        reply_to: Message | None = None,
        files: Iterable[tuple[str, bytes]] = (),
    ) -> Message:
        """Post a message (optionally a reply, with files): MESSAGE_CREATE."""
        uploads = [Upload(n, name, None, data) for n, (name, data) in enumerate(files)]
        payload: dict[str, Any] = {"content": content}
        if reply_to is not None:
            payload["message_reference"] = {"message_id": reply_to.id}
        body = parse_message_body(payload, uploads, self._backend.state.ids)
        return self._backend.messages.post(channel, self.user, body)

    async def react(self, message: Message, emoji: str) -> None:
        """React with a unicode emoji: MESSAGE_REACTION_ADD."""
        self._backend.messages.react(message, self.user, emoji)

    async def create_post(
        self, forum: Channel, title: str, content: str, *, tags: Iterable[str] = ()
    ) -> Channel:
        """Open a forum post: THREAD_CREATE, then MESSAGE_CREATE of its first message."""
        messages = self._backend.messages
        thread = messages.start_thread(
            forum, self.user, title, applied_tags=[forum.tag(t).id for t in tags]
        )
        messages.post(thread, self.user, MessageBody(content=content), message_id=thread.id)
        return thread

    async def start_thread(self, message: Message, name: str) -> Channel:
        """Start a thread on a message: THREAD_CREATE."""
        parent = self._backend.state.channels[message.channel_id]
        return self._backend.messages.start_thread(parent, self.user, name, starter=message)

    async def join_voice(self, channel: Channel) -> None:
        """Join a voice or stage channel: VOICE_STATE_UPDATE."""
        self._backend.state.set_voice(self.guild.model, self.user.id, channel.id)

    async def mark_interested(self, event_id: int) -> None:
        """Click "Interested" on a scheduled event: GUILD_SCHEDULED_EVENT_USER_ADD."""
        event = self.guild.model.events[event_id]
        event.interested.add(self.user.id)
        self._backend.state.dispatch(
            "GUILD_SCHEDULED_EVENT_USER_ADD",
            {"guild_scheduled_event_id": str(event.id), "user_id": str(self.user.id),
             "guild_id": str(event.guild_id)},
            event.guild_id,
        )  # fmt: skip

    async def leave_voice(self) -> None:
        """Leave voice: VOICE_STATE_UPDATE with no channel."""
        self._backend.state.set_voice(self.guild.model, self.user.id, None)

    async def pass_screening(self) -> None:
        """Accept the server's rules in Discord's screening: GUILD_MEMBER_UPDATE, not pending."""
        self.member.pending = False
        self._backend.state.member_updated(self.guild.model, self.member)

    async def start_onboarding(self) -> None:
        """Begin Discord's native onboarding: GUILD_MEMBER_UPDATE with STARTED_ONBOARDING."""
        self.member.flags |= MemberFlag.STARTED_ONBOARDING
        self._backend.state.member_updated(self.guild.model, self.member)

    async def complete_onboarding(self) -> None:
        """Finish Discord's native onboarding: GUILD_MEMBER_UPDATE with COMPLETED_ONBOARDING."""
        self.member.flags |= MemberFlag.COMPLETED_ONBOARDING
        self._backend.state.member_updated(self.guild.model, self.member)

    async def leave(self) -> None:
        """Leave the guild: GUILD_MEMBER_REMOVE (rejoin with `guild.join(person)`)."""
        self._backend.state.remove_member(self.guild.model, self.user.id)
