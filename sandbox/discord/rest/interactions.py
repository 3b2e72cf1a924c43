"""Interaction callbacks and the interaction webhook (original response and follow-ups)."""

from __future__ import annotations

from aiohttp import web

from sandbox.discord import payloads
from sandbox.discord.bodies import parse_message_body
from sandbox.discord.errors import unknown
from sandbox.discord.models import Interaction
from sandbox.discord.rest.http import backend, body, json_response, no_content, snowflake, uploads

routes = web.RouteTableDef()

WEBHOOK = "/webhooks/{application_id}/{interaction_token}"


@routes.post("/interactions/{interaction_id}/{interaction_token}/callback")
async def callback(request: web.Request) -> web.Response:
    """The bot's initial response; `with_response` gets the callback object, else 204."""
    sandbox = backend(request)
    answer = sandbox.interactions.callback(
        snowflake(request, "interaction_id"),
        request.match_info["interaction_token"],
        body(request) or {},
        uploads(request),
    )
    if request.query.get("with_response") in ("1", "true", "True"):
        return json_response(answer)
    return no_content()


def _interaction(request: web.Request) -> Interaction:
    sandbox = backend(request)
    if snowflake(request, "application_id") != sandbox.state.application_id:
        raise unknown("Webhook")
    return sandbox.interactions.by_token(request.match_info["interaction_token"])


@routes.post(WEBHOOK)
async def followup(request: web.Request) -> web.StreamResponse:
    """Send a follow-up message (`wait=true` returns it)."""
    sandbox = backend(request)
    interaction = _interaction(request)
    parsed = parse_message_body(body(request) or {}, uploads(request), sandbox.state.ids)
    message = sandbox.interactions.followup(interaction, parsed)
    if request.query.get("wait") in ("1", "true", "True"):
        return json_response(payloads.message(message, sandbox.state))
    return no_content()


@routes.get(WEBHOOK + "/messages/{message_id}")
@routes.get(WEBHOOK + "/messages/@original")  # registered first, so it wins
async def get_response(request: web.Request) -> web.Response:
    """The original response or a follow-up."""
    sandbox = backend(request)
    message = sandbox.interactions.response_message(
        _interaction(request), request.match_info.get("message_id", "@original")
    )
    return json_response(payloads.message(message, sandbox.state))


@routes.patch(WEBHOOK + "/messages/{message_id}")
@routes.patch(WEBHOOK + "/messages/@original")  # registered first, so it wins
async def edit_response(request: web.Request) -> web.Response:
    """Edit the original response (ending a deferral) or a follow-up."""
    sandbox = backend(request)
    interaction = _interaction(request)
    message = sandbox.interactions.response_message(
        interaction, request.match_info.get("message_id", "@original")
    )
    parsed = parse_message_body(body(request) or {}, uploads(request), sandbox.state.ids)
    sandbox.interactions.edit(interaction, message, parsed)
    return json_response(payloads.message(message, sandbox.state))


@routes.delete(WEBHOOK + "/messages/{message_id}")
@routes.delete(WEBHOOK + "/messages/@original")  # registered first, so it wins
async def delete_response(request: web.Request) -> web.Response:
    """Delete the original response or a follow-up."""
    sandbox = backend(request)
    interaction = _interaction(request)
    message = sandbox.interactions.response_message(
        interaction, request.match_info.get("message_id", "@original")
    )
    sandbox.interactions.delete(interaction, message)
    return no_content()
