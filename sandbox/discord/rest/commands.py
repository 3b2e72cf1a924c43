"""Application command registration: bulk overwrite and listing, global and per guild."""

from __future__ import annotations

from aiohttp import web

from sandbox.discord import commands
from sandbox.discord.errors import DiscordError
from sandbox.discord.rest.http import backend, body, json_response, snowflake
from sandbox.discord.state import State

routes = web.RouteTableDef()


def _scope(request: web.Request, state: State) -> int | None:
    if snowflake(request, "application_id") != state.application_id:
        raise DiscordError(403, 50001, "Missing Access")
    if "guild_id" not in request.match_info:
        return None
    return state.guild(snowflake(request, "guild_id")).id


@routes.put("/applications/{application_id}/commands")
@routes.put("/applications/{application_id}/guilds/{guild_id}/commands")
async def bulk_overwrite(request: web.Request) -> web.Response:
    """Replace the whole command set of the scope."""
    state = backend(request).state
    items = body(request)
    if not isinstance(items, list):
        raise DiscordError(400, 50035, "Invalid Form Body")
    saved = commands.overwrite(state, _scope(request, state), items)
    return json_response([commands.payload(c) for c in saved])


@routes.get("/applications/{application_id}/commands")
@routes.get("/applications/{application_id}/guilds/{guild_id}/commands")
async def list_commands(request: web.Request) -> web.Response:
    """The registered commands of the scope."""
    state = backend(request).state
    scope = _scope(request, state)
    return json_response([commands.payload(c) for c in state.commands.get(scope, [])])
