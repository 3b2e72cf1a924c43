"""Channels, messages, threads and reactions."""

from __future__ import annotations

from urllib.parse import unquote

from aiohttp import web

from sandbox.discord import payloads
from sandbox.discord.bodies import parse_message_body
from sandbox.discord.errors import DiscordError
from sandbox.discord.models import ChannelType
from sandbox.discord.rest.http import backend, body, json_response, no_content, snowflake, uploads

routes = web.RouteTableDef()

MAX_HISTORY = 100


@routes.get("/channels/{channel_id}")
async def get_channel(request: web.Request) -> web.Response:
    """A channel, thread or DM channel."""
    sandbox = backend(request)
    channel = sandbox.state.channel(snowflake(request, "channel_id"))
    return json_response(payloads.channel(channel, sandbox.state))


@routes.patch("/channels/{channel_id}")
async def edit_channel(request: web.Request) -> web.Response:
    """Rename a channel, or archive/lock/retag a thread."""
    sandbox = backend(request)
    channel = sandbox.state.channel(snowflake(request, "channel_id"))
    sandbox.messages.update_channel(channel, body(request) or {})
    return json_response(payloads.channel(channel, sandbox.state))


@routes.get("/channels/{channel_id}/messages")
async def list_messages(request: web.Request) -> web.Response:
    """Channel history, newest first (limit, before, after)."""
    sandbox = backend(request)
    history = sandbox.state.channel(snowflake(request, "channel_id")).messages
    limit = min(int(request.query.get("limit", 50)), MAX_HISTORY)
    before = int(request.query.get("before", 0)) or None
    after = int(request.query.get("after", 0))
    picked = [m for m in history if m.id > after and (before is None or m.id < before)]
    picked = picked[:limit] if after and before is None else picked[-limit:]
    return json_response([payloads.message(m, sandbox.state) for m in reversed(picked)])


@routes.post("/channels/{channel_id}/messages")
async def create_message(request: web.Request) -> web.Response:
    """The bot posts a message (JSON or multipart with files)."""
    sandbox = backend(request)
    channel = sandbox.state.channel(snowflake(request, "channel_id"))
    parsed = parse_message_body(body(request) or {}, uploads(request), sandbox.state.ids)
    earlier = sandbox.messages.by_nonce(channel, sandbox.state.bot_user, parsed)
    if earlier is not None:
        sandbox.messages.nonce_repeats += 1
        return json_response(payloads.message(earlier, sandbox.state, with_nonce=True))
    message = sandbox.messages.post(channel, sandbox.state.bot_user, parsed)
    return json_response(payloads.message(message, sandbox.state, with_nonce=True))


@routes.get("/channels/{channel_id}/messages/{message_id}")
async def get_message(request: web.Request) -> web.Response:
    """One message."""
    sandbox = backend(request)
    message = sandbox.messages.find(
        snowflake(request, "channel_id"), snowflake(request, "message_id")
    )
    return json_response(payloads.message(message, sandbox.state))


@routes.patch("/channels/{channel_id}/messages/{message_id}")
async def edit_message(request: web.Request) -> web.Response:
    """Edit one of the bot's messages."""
    sandbox = backend(request)
    message = sandbox.messages.find(
        snowflake(request, "channel_id"), snowflake(request, "message_id")
    )
    if message.author.id != sandbox.state.bot_user.id:
        raise DiscordError(403, 50005, "Cannot edit a message authored by another user")
    parsed = parse_message_body(body(request) or {}, uploads(request), sandbox.state.ids)
    sandbox.messages.edit(message, parsed)
    return json_response(payloads.message(message, sandbox.state))


@routes.delete("/channels/{channel_id}/messages/{message_id}")
async def delete_message(request: web.Request) -> web.Response:
    """Delete a message."""
    sandbox = backend(request)
    message = sandbox.messages.find(
        snowflake(request, "channel_id"), snowflake(request, "message_id")
    )
    sandbox.messages.delete(message)
    return no_content()


@routes.put("/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me")
async def add_reaction(request: web.Request) -> web.Response:
    """The bot reacts to a message."""
    sandbox = backend(request)
    message = sandbox.messages.find(
        snowflake(request, "channel_id"), snowflake(request, "message_id")
    )
    sandbox.messages.react(message, sandbox.state.bot_user, unquote(request.match_info["emoji"]))
    return no_content()


@routes.post("/channels/{channel_id}/typing")
async def typing(request: web.Request) -> web.Response:
    """Typing indicator (accepted, not shown)."""
    backend(request).state.channel(snowflake(request, "channel_id"))
    return no_content()


@routes.post("/channels/{channel_id}/threads")
async def start_thread(request: web.Request) -> web.Response:
    """Start a thread; in a forum, a post with its first message and applied tags."""
    sandbox = backend(request)
    parent = sandbox.state.channel(snowflake(request, "channel_id"))
    data = body(request) or {}
    tags = [int(t) for t in data.get("applied_tags") or []]
    if parent.type == ChannelType.FORUM and not data.get("message"):
        raise DiscordError(400, 50035, "Invalid Form Body")
    first = parse_message_body(data.get("message") or {}, uploads(request), sandbox.state.ids)
    if parent.type == ChannelType.FORUM and first.is_empty():
        raise DiscordError(400, 50006, "Cannot send an empty message")
    thread = sandbox.messages.start_thread(
        parent,
        sandbox.state.bot_user,
        str(data.get("name", "")),
        applied_tags=tags,
        auto_archive_duration=data.get("auto_archive_duration"),
    )
    answer = payloads.channel(thread, sandbox.state)
    if parent.type == ChannelType.FORUM:
        message = sandbox.messages.post(thread, sandbox.state.bot_user, first, message_id=thread.id)
        answer["message"] = payloads.message(message, sandbox.state)
    return json_response(answer, 201)


@routes.post("/channels/{channel_id}/messages/{message_id}/threads")
async def start_thread_from_message(request: web.Request) -> web.Response:
    """Start a thread on a message (the thread takes the message's id)."""
    sandbox = backend(request)
    channel_id = snowflake(request, "channel_id")
    starter = sandbox.messages.find(channel_id, snowflake(request, "message_id"))
    data = body(request) or {}
    thread = sandbox.messages.start_thread(
        sandbox.state.channel(channel_id),
        sandbox.state.bot_user,
        str(data.get("name", "")),
        starter=starter,
        auto_archive_duration=data.get("auto_archive_duration"),
    )
    return json_response(payloads.channel(thread, sandbox.state), 201)
