"""Guilds, members, member roles, roles and guild channels."""

from __future__ import annotations

from aiohttp import web

from sandbox.discord import payloads
from sandbox.discord.errors import DiscordError
from sandbox.discord.models import ChannelType, Guild, Perm
from sandbox.discord.rest.http import backend, body, json_response, no_content, snowflake
from sandbox.discord.state import State

routes = web.RouteTableDef()

MAX_MEMBERS_PAGE = 1000
CHANNEL_KINDS = {
    0: ChannelType.TEXT, 2: ChannelType.VOICE, 13: ChannelType.STAGE_VOICE, 15: ChannelType.FORUM,
}  # fmt: skip


def _guild(request: web.Request) -> tuple[State, Guild]:
    state = backend(request).state
    return state, state.guild(snowflake(request, "guild_id"))


@routes.get("/guilds/{guild_id}")
async def get_guild(request: web.Request) -> web.Response:
    """The guild object (without the gateway-only fields)."""
    state, guild = _guild(request)
    data = payloads.guild_object(guild, state)
    if request.query.get("with_counts") in ("1", "true"):
        data.update(approximate_member_count=len(guild.members), approximate_presence_count=0)
    return json_response(data)


@routes.get("/guilds/{guild_id}/members")
async def list_members(request: web.Request) -> web.Response:
    """Members ordered by user id (limit, after)."""
    _, guild = _guild(request)
    limit = min(int(request.query.get("limit", 1)), MAX_MEMBERS_PAGE)
    after = int(request.query.get("after", 0))
    picked = sorted(
        (m for m in guild.members.values() if m.user.id > after), key=lambda m: m.user.id
    )
    return json_response([payloads.member(m) for m in picked[:limit]])


@routes.get("/guilds/{guild_id}/members/{user_id}")
async def get_member(request: web.Request) -> web.Response:
    """One member, or 404 10007 Unknown Member."""
    state, guild = _guild(request)
    return json_response(payloads.member(state.member(guild.id, snowflake(request, "user_id"))))


@routes.patch("/guilds/{guild_id}/members/{user_id}")
async def edit_member(request: web.Request) -> web.Response:
    """Change a member's roles and/or nickname."""
    state, guild = _guild(request)
    member = state.member(guild.id, snowflake(request, "user_id"))
    data = body(request) or {}
    nick_changed = "nick" in data and (data["nick"] or None) != member.nick
    if nick_changed:
        member.nick = data["nick"] or None
    roles_changed = data.get("roles") is not None and state.set_roles(
        guild, member, [int(r) for r in data["roles"]], by_bot=True
    )
    if nick_changed and not roles_changed:
        state.member_updated(guild, member)
    return json_response(payloads.member(member))


@routes.put("/guilds/{guild_id}/members/{user_id}/roles/{role_id}")
@routes.delete("/guilds/{guild_id}/members/{user_id}/roles/{role_id}")
async def change_member_role(request: web.Request) -> web.Response:
    """Give (PUT) or take (DELETE) one role; 403 50013 at or above the bot's top role."""
    state, guild = _guild(request)
    member = state.member(guild.id, snowflake(request, "user_id"))
    role = state.role(guild.id, snowflake(request, "role_id"))
    state.check_can_assign(guild, role)
    others = [r for r in member.role_ids if r != role.id]
    state.set_roles(
        guild, member, [*others, role.id] if request.method == "PUT" else others, by_bot=True
    )
    return no_content()


@routes.get("/guilds/{guild_id}/roles")
async def list_roles(request: web.Request) -> web.Response:
    """Every role of the guild."""
    _, guild = _guild(request)
    return json_response([payloads.role(r) for r in guild.roles.values()])


@routes.post("/guilds/{guild_id}/roles")
async def create_role(request: web.Request) -> web.Response:
    """Create a role at the bottom of the list."""
    state, guild = _guild(request)
    if not guild.permissions(guild.members[state.bot_user.id]) & Perm.MANAGE_ROLES:
        raise DiscordError(403, 50013, "Missing Permissions")
    data = body(request) or {}
    role = state.create_role(
        guild,
        str(data.get("name") or "new role"),
        permissions=int(data.get("permissions") or 0),
        color=int(data.get("color") or 0),
        hoist=bool(data.get("hoist")),
        mentionable=bool(data.get("mentionable")),
    )
    return json_response(payloads.role(role))


@routes.patch("/guilds/{guild_id}/roles/{role_id}")
async def edit_role(request: web.Request) -> web.Response:
    """Edit a role below the bot's top role."""
    state, guild = _guild(request)
    role = state.role(guild.id, snowflake(request, "role_id"))
    state.check_can_assign(guild, role)
    return json_response(payloads.role(state.update_role(guild, role, body(request) or {})))


@routes.delete("/guilds/{guild_id}/roles/{role_id}")
async def delete_role(request: web.Request) -> web.Response:
    """Delete a role below the bot's top role."""
    state, guild = _guild(request)
    role = state.role(guild.id, snowflake(request, "role_id"))
    state.check_can_assign(guild, role)
    state.delete_role(guild, role)
    return no_content()


@routes.get("/guilds/{guild_id}/channels")
async def list_channels(request: web.Request) -> web.Response:
    """The guild's channels (threads excluded, as Discord does)."""
    state, guild = _guild(request)
    return json_response(
        [payloads.channel(c, state) for c in guild.channels.values() if not c.is_thread]
    )


@routes.post("/guilds/{guild_id}/channels")
async def create_channel(request: web.Request) -> web.Response:
    """Create a text, voice or forum channel."""
    state, guild = _guild(request)
    data = body(request) or {}
    kind = CHANNEL_KINDS.get(int(data.get("type") or 0))
    if kind is None:
        raise DiscordError(400, 50035, "Invalid Form Body")
    channel = state.create_channel(
        guild,
        kind,
        str(data.get("name") or ""),
        topic=data.get("topic"),
        tags=[t["name"] for t in data.get("available_tags") or []],
        parent_id=int(data["parent_id"]) if data.get("parent_id") else None,
    )
    return json_response(payloads.channel(channel, state), 201)


def _require_manage_guild(state: State, guild: Guild) -> None:
    if not guild.permissions(guild.members[state.bot_user.id]) & Perm.MANAGE_GUILD:
        raise DiscordError(403, 50013, "Missing Permissions")


@routes.get("/guilds/{guild_id}/invites")
async def list_invites(request: web.Request) -> web.Response:
    """The guild's invites with their metadata (uses); needs Manage Server."""
    state, guild = _guild(request)
    _require_manage_guild(state, guild)
    return json_response([payloads.invite(i, state) for i in guild.invites.values()])


@routes.get("/guilds/{guild_id}/vanity-url")
async def vanity_url(request: web.Request) -> web.Response:
    """The vanity code and its uses (code null when the guild has none); needs Manage Server."""
    state, guild = _guild(request)
    _require_manage_guild(state, guild)
    return json_response({"code": guild.vanity_code, "uses": guild.vanity_uses})
