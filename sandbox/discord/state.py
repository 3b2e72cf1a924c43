"""The sandbox's source of truth: guilds, members, roles, channels, and the events they emit."""

from __future__ import annotations

import re
import secrets
import string
from collections.abc import Callable
from typing import Any

from sandbox.discord import payloads
from sandbox.discord.errors import missing_permissions, unknown
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
    MemberFlag,
    Message,
    Perm,
    Role,
    User,
)
from sandbox.discord.snowflake import Snowflakes, now

Sink = Callable[[str, dict[str, Any], int | None], None]

USER_MENTION = re.compile(r"<@!?(\d+)>")
ROLE_MENTION = re.compile(r"<@&(\d+)>")


class State:
    """Everything the sandbox knows; every visible change is dispatched to the subscribed sinks."""

    def __init__(self, *, token: str, bot_name: str = "Lyceum") -> None:
        self.ids = Snowflakes()
        self.token = token
        self.base_url = ""
        self.application_id = self.ids.next()
        self.bot_user = User(self.ids.next(), bot_name, bot=True)
        self.owner = User(self.ids.next(), "owner")
        self.users: dict[int, User] = {u.id: u for u in (self.bot_user, self.owner)}
        self.guilds: dict[int, Guild] = {}
        self.channels: dict[int, Channel] = {}
        self.messages: dict[int, Message] = {}
        self.interactions: dict[int, Interaction] = {}
        self.attachments: dict[int, Attachment] = {}
        self.commands: dict[int | None, list[Command]] = {}
        self.dm_channels: dict[int, int] = {}
        self._sinks: list[Sink] = []

    # -- events ---------------------------------------------------------------

    def subscribe(self, sink: Sink) -> None:
        """Call `sink(event, data, guild_id)` for every dispatched event."""
        self._sinks.append(sink)

    def dispatch(self, event: str, data: dict[str, Any], guild_id: int | None = None) -> None:
        """Send a gateway event to every sink."""
        for sink in self._sinks:
            sink(event, data, guild_id)

    # -- lookups (raise Discord's 404s) ----------------------------------------

    def guild(self, guild_id: int) -> Guild:
        """The guild, or 404 Unknown Guild."""
        try:
            return self.guilds[guild_id]
        except KeyError:
            raise unknown("Guild") from None

    def channel(self, channel_id: int) -> Channel:
        """The channel (any kind), or 404 Unknown Channel."""
        try:
            return self.channels[channel_id]
        except KeyError:
            raise unknown("Channel") from None

    def member(self, guild_id: int, user_id: int) -> Member:
        """The member, or 404 Unknown Member."""
        try:
            return self.guild(guild_id).members[user_id]
        except KeyError:
            raise unknown("Member") from None

    def role(self, guild_id: int, role_id: int) -> Role:
        """The role, or 404 Unknown Role."""
        try:
            return self.guild(guild_id).roles[role_id]
        except KeyError:
            raise unknown("Role") from None

    def user(self, user_id: int) -> User:
        """The user, or 404 Unknown User."""
        try:
            return self.users[user_id]
        except KeyError:
            raise unknown("User") from None

    def mentioned_users(self, content: str) -> list[User]:
        """Users mentioned as <@id> in the text."""
        ids = dict.fromkeys(int(x) for x in USER_MENTION.findall(content))
        return [self.users[i] for i in ids if i in self.users]

    def mentioned_role_ids(self, content: str) -> list[int]:
        """Role ids mentioned as <@&id> in the text."""
        return list(dict.fromkeys(int(x) for x in ROLE_MENTION.findall(content)))

    # -- users, guilds, roles, channels ---------------------------------------

    def new_user(self, username: str, *, bot: bool = False) -> User:
        """Create a user (not yet in any guild)."""
        created = User(self.ids.next(), username, bot=bot)
        self.users[created.id] = created
        return created

    def create_guild(self, name: str) -> Guild:
        """Create a guild holding the owner and the bot (with its managed role)."""
        guild = Guild(self.ids.next(), name, owner_id=self.owner.id, joined_at=now())
        guild.roles[guild.id] = Role(guild.id, guild.id, "@everyone", 0, permissions=Perm.EVERYONE)
        bot_role = Role(
            self.ids.next(),
            guild.id,
            self.bot_user.username,
            1,
            Perm.BOT,
            managed=True,
            bot_id=self.bot_user.id,
        )
        guild.roles[bot_role.id] = bot_role
        for who, roles in ((self.owner, []), (self.bot_user, [bot_role.id])):
            guild.members[who.id] = Member(who, guild.id, now(), roles)
        self.guilds[guild.id] = guild
        self.dispatch("GUILD_CREATE", payloads.guild(guild, self), guild.id)
        return guild

    def create_role(
        self,
        guild: Guild,
        name: str,
        *,
        position: int | None = None,
        permissions: int = 0,
        color: int = 0,
        hoist: bool = False,
        mentionable: bool = False,
    ) -> Role:
        """Add a role at `position` (default: just above @everyone, as Discord does)."""
        at = max(1, position if position is not None else 1)
        for other in guild.roles.values():
            if other.position >= at and other.id != guild.id:
                other.position += 1
        created = Role(self.ids.next(), guild.id, name, at, permissions, color, hoist, mentionable)
        guild.roles[created.id] = created
        self.dispatch(
            "GUILD_ROLE_CREATE",
            {"guild_id": str(guild.id), "role": payloads.role(created)},
            guild.id,
        )
        return created

    def update_role(self, guild: Guild, target: Role, changes: dict[str, Any]) -> Role:
        """Apply a role PATCH and dispatch GUILD_ROLE_UPDATE."""
        for key in ("name", "color", "hoist", "mentionable"):
            if key in changes and changes[key] is not None:
                setattr(target, key, changes[key])
        if changes.get("permissions") is not None:
            target.permissions = int(changes["permissions"])
        self.dispatch(
            "GUILD_ROLE_UPDATE",
            {"guild_id": str(guild.id), "role": payloads.role(target)},
            guild.id,
        )
        return target

    def delete_role(self, guild: Guild, target: Role) -> None:
        """Remove a role from the guild and every member; dispatch GUILD_ROLE_DELETE."""
        del guild.roles[target.id]
        for m in guild.members.values():
            if target.id in m.role_ids:
                m.role_ids.remove(target.id)
        self.dispatch(
            "GUILD_ROLE_DELETE", {"guild_id": str(guild.id), "role_id": str(target.id)}, guild.id
        )

    def create_channel(
        self,
        guild: Guild,
        kind: ChannelType,
        name: str,
        *,
        topic: str | None = None,
        tags: list[str] | None = None,
        moderated: frozenset[str] = frozenset(),
        parent_id: int | None = None,
    ) -> Channel:
        """Add a text, voice or forum channel and dispatch CHANNEL_CREATE."""
        created = Channel(
            self.ids.next(),
            kind,
            name,
            guild_id=guild.id,
            topic=topic,
            parent_id=parent_id,
            position=sum(1 for c in guild.channels.values() if not c.is_thread),
            available_tags=[ForumTag(self.ids.next(), t, t in moderated) for t in tags or []],
        )
        guild.channels[created.id] = created
        self.channels[created.id] = created
        self.dispatch("CHANNEL_CREATE", payloads.channel(created, self), guild.id)
        return created

    # -- members ---------------------------------------------------------------

    def add_member(self, guild: Guild, who: User, *, invite: str | None = None) -> Member:
        """A user joins (through `invite`, a code or the vanity code, whose uses go up before
        the join is dispatched, as on Discord): dispatch GUILD_MEMBER_ADD."""
        if who.id in guild.members:
            raise ValueError(f"{who.username} is already in {guild.name}")
        if invite is not None:
            self.use_invite(guild, invite)
        joined = Member(who, guild.id, now(), pending=guild.screening)
        if who.id in guild.former_member_ids:
            joined.flags |= MemberFlag.DID_REJOIN
        guild.members[who.id] = joined
        self.dispatch(
            "GUILD_MEMBER_ADD", {**payloads.member(joined), "guild_id": str(guild.id)}, guild.id
        )
        return joined

    def remove_member(self, guild: Guild, user_id: int) -> None:
        """A member leaves: leave voice, then dispatch GUILD_MEMBER_REMOVE."""
        if user_id in guild.voice:
            self.set_voice(guild, user_id, None)
        gone = guild.members.pop(user_id)
        guild.former_member_ids.add(user_id)
        self.dispatch(
            "GUILD_MEMBER_REMOVE",
            {"guild_id": str(guild.id), "user": payloads.user(gone.user)},
            guild.id,
        )

    def check_can_assign(self, guild: Guild, target: Role) -> None:
        """Raise 403 50013 unless the bot may give or take this role (permission and hierarchy)."""
        bot = guild.members[self.bot_user.id]
        if not guild.permissions(bot) & Perm.MANAGE_ROLES:
            raise missing_permissions()
        if target.managed or target.id == guild.id or target.position >= guild.top_position(bot):
            raise missing_permissions()

    def set_roles(self, guild: Guild, who: Member, role_ids: list[int], *, by_bot: bool) -> bool:
        """Replace a member's roles (the bot obeys the hierarchy); dispatch, True on change."""
        for role_id in role_ids:
            if role_id not in guild.roles:
                raise unknown("Role")
        if by_bot:
            for role_id in set(role_ids) ^ set(who.role_ids):
                self.check_can_assign(guild, guild.roles[role_id])
        if set(role_ids) == set(who.role_ids):
            return False
        who.role_ids = list(dict.fromkeys(role_ids))
        self.member_updated(guild, who)
        return True

    def member_updated(self, guild: Guild, who: Member) -> None:
        """Dispatch GUILD_MEMBER_UPDATE for a member."""
        self.dispatch(
            "GUILD_MEMBER_UPDATE", {**payloads.member(who), "guild_id": str(guild.id)}, guild.id
        )

    def set_voice(self, guild: Guild, user_id: int, channel_id: int | None) -> None:
        """Move a member into (or out of, with None) a voice channel: VOICE_STATE_UPDATE."""
        if channel_id is None:
            guild.voice.pop(user_id, None)
        else:
            guild.voice[user_id] = channel_id
        self.dispatch(
            "VOICE_STATE_UPDATE", payloads.voice_state(guild, user_id, channel_id), guild.id
        )

    def permissions_in(self, guild: Guild, user_id: int) -> int:
        """A member's guild permissions (0 when not a member)."""
        who = guild.members.get(user_id)
        return guild.permissions(who) if who else 0

    # -- invites ------------------------------------------------------------------

    def create_invite(
        self,
        guild: Guild,
        channel: Channel,
        inviter: User | None,
        *,
        code: str | None = None,
        max_uses: int = 0,
        max_age: int = 0,
    ) -> Invite:
        """Create an invite to a channel: dispatch INVITE_CREATE."""
        alphabet = string.ascii_letters + string.digits
        code = code or "".join(secrets.choice(alphabet) for _ in range(8))
        if code in guild.invites or code == guild.vanity_code:
            raise ValueError(f"invite {code!r} exists")
        created = Invite(
            code,
            guild.id,
            channel.id,
            inviter.id if inviter else None,
            now(),
            max_uses=max_uses,
            max_age=max_age,
        )
        guild.invites[code] = created
        self.dispatch("INVITE_CREATE", payloads.invite_create(created, self), guild.id)
        return created

    def delete_invite(self, guild: Guild, code: str) -> None:
        """Revoke an invite: dispatch INVITE_DELETE."""
        gone = guild.invites.pop(code)
        self.dispatch("INVITE_DELETE", payloads.invite_delete(gone), guild.id)

    def use_invite(self, guild: Guild, code: str) -> None:
        """Someone joins through the code: its uses go up; a used-up invite is deleted."""
        if code == guild.vanity_code:
            guild.vanity_uses += 1
            return
        found = guild.invites.get(code)
        if found is None:
            raise LookupError(f"no invite {code!r} in {guild.name}")
        found.uses += 1
        if found.max_uses and found.uses >= found.max_uses:
            self.delete_invite(guild, code)

    def set_vanity(self, guild: Guild, code: str | None) -> None:
        """Give the guild a vanity URL (or take it away): GUILD_UPDATE."""
        guild.vanity_code = code
        guild.vanity_uses = 0
        self.dispatch("GUILD_UPDATE", payloads.guild_object(guild, self), guild.id)
