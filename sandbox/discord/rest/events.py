"""Guild scheduled events: create one, list who is interested (Discord's live sessions)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aiohttp import web

from sandbox.discord import payloads
from sandbox.discord.errors import invalid_form, unknown
from sandbox.discord.models import ChannelType, ScheduledEvent
from sandbox.discord.rest.http import backend, body, json_response, snowflake

routes = web.RouteTableDef()

VOICE, STAGE, EXTERNAL = 2, 1, 3
GUILD_ONLY = 2
MAX_USERS = 100


def _time(data: dict[str, Any], key: str) -> datetime | None:
    raw = data.get(key)
    if raw is None:
        return None
    try:
        moment = datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
    except ValueError:
        raise invalid_form(key, "Could not parse a date-time.", "DATE_TIME_TYPE_PARSE") from None
    if moment.tzinfo is None:
        raise invalid_form(key, "Could not parse a date-time.", "DATE_TIME_TYPE_PARSE")
    return moment


@routes.post("/guilds/{guild_id}/scheduled-events")
async def create_event(request: web.Request) -> web.Response:
    """A scheduled event in a voice or stage channel, or at an external place."""
    sandbox = backend(request)
    guild = sandbox.state.guild(snowflake(request, "guild_id"))
    data = body(request) or {}
    name = str(data.get("name") or "")
    if not 1 <= len(name) <= 100:
        raise invalid_form("name", "Must be between 1 and 100 in length.", "BASE_TYPE_BAD_LENGTH")
    if data.get("privacy_level") != GUILD_ONLY:
        raise invalid_form("privacy_level", "Value must be one of {2}.", "BASE_TYPE_CHOICES")
    kind = data.get("entity_type")
    start, end = _time(data, "scheduled_start_time"), _time(data, "scheduled_end_time")
    if start is None:
        raise invalid_form("scheduled_start_time", "This field is required", "BASE_TYPE_REQUIRED")
    if end is not None and end <= start:
        raise invalid_form("scheduled_end_time", "Must be after the start.", "BASE_TYPE_BAD_TIME")
    channel_id = None
    if kind in (VOICE, STAGE):
        wanted = ChannelType.VOICE if kind == VOICE else ChannelType.STAGE_VOICE
        channel = guild.channels.get(int(data.get("channel_id") or 0))
        if channel is None or channel.type != wanted:
            what = "a voice" if kind == VOICE else "a stage"
            raise invalid_form("channel_id", f"Must be {what} channel.", "CHANNEL_TYPE_INVALID")
        channel_id = channel.id
    elif kind == EXTERNAL:
        location = (data.get("entity_metadata") or {}).get("location")
        if not location or end is None:
            raise invalid_form("entity_metadata", "A location and an end time are required.")
    else:
        raise invalid_form("entity_type", "Value must be one of {1, 2, 3}.", "BASE_TYPE_CHOICES")
    event = ScheduledEvent(
        id=sandbox.state.ids.next(), guild_id=guild.id, channel_id=channel_id, name=name,
        description=data.get("description"), start=start, end=end, entity_type=int(kind),
        creator_id=sandbox.state.bot_user.id,
        location=(data.get("entity_metadata") or {}).get("location"),
    )  # fmt: skip
    guild.events[event.id] = event
    answer = payloads.scheduled_event(event, sandbox.state)
    sandbox.state.dispatch("GUILD_SCHEDULED_EVENT_CREATE", answer, guild.id)
    return json_response(answer)


@routes.get("/guilds/{guild_id}/scheduled-events/{event_id}/users")
async def event_users(request: web.Request) -> web.Response:
    """Members who marked interest (limit, before/after by user id)."""
    sandbox = backend(request)
    guild = sandbox.state.guild(snowflake(request, "guild_id"))
    event = guild.events.get(snowflake(request, "event_id"))
    if event is None:
        raise unknown("Guild Scheduled Event")
    limit = min(int(request.query.get("limit", MAX_USERS)), MAX_USERS)
    after = int(request.query.get("after", 0))
    picked = sorted(u for u in event.interested if u > after)[:limit]
    return json_response(
        [
            {"guild_scheduled_event_id": str(event.id),
             "user_id": str(user_id),
             "response": 1,  # INTERESTED
             "user": payloads.user(sandbox.state.users[user_id])}
            for user_id in picked
        ]
    )  # fmt: skip
