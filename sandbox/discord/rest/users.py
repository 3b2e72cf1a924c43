"""Users, the application, DMs, and the gateway address."""

from __future__ import annotations

from aiohttp import web

from sandbox.discord import payloads
from sandbox.discord.errors import DiscordError
from sandbox.discord.rest.http import backend, body, json_response, snowflake

routes = web.RouteTableDef()


@routes.get("/users/@me")
async def get_me(request: web.Request) -> web.Response:
    """The bot's own user."""
    me = backend(request).state.bot_user
    return json_response(
        {
            **payloads.user(me),
            "verified": True,
            "mfa_enabled": False,
            "locale": "en-US",
            "premium_type": 0,
        }
    )


@routes.get("/users/{user_id}")
async def get_user(request: web.Request) -> web.Response:
    """Any user by id."""
    return json_response(payloads.user(backend(request).state.user(snowflake(request, "user_id"))))


@routes.get("/oauth2/applications/@me")
async def get_application(request: web.Request) -> web.Response:
    """The bot's application (discord.py reads it at login)."""
    state = backend(request).state
    return json_response(
        {
            "id": str(state.application_id),
            "name": state.bot_user.username,
            "icon": None,
            "description": "",
            "summary": "",
            "type": None,
            "bot_public": True,
            "bot_require_code_grant": False,
            "verify_key": "0" * 64,
            "flags": 0,
            "flags_new": "0",
            "owner": payloads.user(state.owner),
            "team": None,
            "bot": payloads.user(state.bot_user),
            "redirect_uris": [],
            "interactions_endpoint_url": None,
            "role_connections_verification_url": None,
            "explicit_content_filter": 0,
            "eligible_oauth2_scopes": [],
            "approximate_guild_count": len(state.guilds),
            "approximate_user_install_count": 0,
            "approximate_user_authorization_count": 0,
        }
    )


@routes.post("/users/@me/channels")
async def open_dm(request: web.Request) -> web.Response:
    """Open (or return) the DM channel with a user."""
    sandbox = backend(request)
    recipient = sandbox.state.users.get(int((body(request) or {}).get("recipient_id", 0)))
    if recipient is None:
        raise DiscordError(400, 50033, "Invalid Recipient(s)")
    return json_response(payloads.channel(sandbox.messages.open_dm(recipient), sandbox.state))


@routes.get("/gateway")
async def get_gateway(request: web.Request) -> web.Response:
    """The gateway URL."""
    return json_response({"url": backend(request).gateway.url})


@routes.get("/gateway/bot")
async def get_gateway_bot(request: web.Request) -> web.Response:
    """The gateway URL, recommended shard count and session start limits (AutoShardedBot)."""
    sandbox = backend(request)
    return json_response(
        {
            "url": sandbox.gateway.url,
            "shards": sandbox.gateway.recommended_shards,
            "session_start_limit": {
                "total": 1000,
                "remaining": 999,
                "reset_after": 86_400_000,
                "max_concurrency": 1,
            },
        }
    )
