"""REST plumbing: JSON answers, body parsing, and the middleware that records, faults and auths."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import unquote

from aiohttp import BodyPartReader, web

from sandbox.discord.backend import Backend
from sandbox.discord.bodies import Upload
from sandbox.discord.calls import Call, answer_body
from sandbox.discord.errors import DiscordError

log = logging.getLogger(__name__)

API_PREFIX = "/api/v10"
BACKEND: web.AppKey[Backend] = web.AppKey("backend", Backend)
JSON_BODY: web.RequestKey[Any] = web.RequestKey("json_body")
UPLOADS: web.RequestKey[list[Upload]] = web.RequestKey("uploads")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
PUBLIC_PREFIXES = ("/interactions/", "/webhooks/")


def json_response(
    data: Any, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    """A JSON answer with Content-Type exactly `application/json` (discord.py needs it)."""
    return web.Response(
        body=json.dumps(data).encode(),
        status=status,
        content_type=None,
        headers={"Content-Type": "application/json", **(headers or {})},
    )


def no_content() -> web.Response:
    """A 204 answer."""
    return web.Response(status=204)


def backend(request: web.Request) -> Backend:
    """The sandbox backend serving this request."""
    return request.config_dict[BACKEND]


def snowflake(request: web.Request, name: str) -> int:
    """A snowflake path parameter (400 when it is not one)."""
    raw = request.match_info[name]
    if not raw.isdigit():
        raise DiscordError(400, 50035, f'Value "{raw}" is not snowflake.')
    return int(raw)


def body(request: web.Request) -> Any:
    """The request's JSON body (or multipart `payload_json`), parsed by the middleware."""
    return request[JSON_BODY]


def uploads(request: web.Request) -> list[Upload]:
    """The `files[n]` parts of a multipart request."""
    return request[UPLOADS]


async def _read(request: web.Request) -> tuple[Any, list[Upload]]:
    if request.content_type.startswith("multipart/"):
        payload: Any = None
        files: list[Upload] = []
        reader = await request.multipart()
        async for part in reader:
            if not isinstance(part, BodyPartReader):
                continue
            if part.name == "payload_json":
                payload = json.loads(await part.text())
            elif part.name and part.name.startswith("files["):
                index = int(part.name[len("files[") : -1])
                data = bytes(await part.read())
                files.append(
                    Upload(
                        index,
                        part.filename or f"file{index}",
                        part.headers.get("Content-Type"),
                        data,
                    )
                )
        return payload, files
    raw = await request.read()
    try:
        return (json.loads(raw) if raw else None), []
    except ValueError:
        raise DiscordError(400, 50109, "The request body contains invalid JSON.") from None


def _route_of(request: web.Request) -> str:
    info = request.match_info
    if info.http_exception is not None or info.route.resource is None:
        return f"UNKNOWN {request.method} {request.path.removeprefix(API_PREFIX)}"
    return f"{request.method} {info.route.resource.canonical.removeprefix(API_PREFIX)}"


def _authorized(request: web.Request, route: str, token: str) -> bool:
    path = route.split(" ", 1)[1]
    return (
        path.startswith(PUBLIC_PREFIXES) or request.headers.get("Authorization") == f"Bot {token}"
    )


@web.middleware
async def api_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Record the call, apply faults, check the token, and turn errors into Discord's JSON."""
    sandbox = backend(request)
    route = _route_of(request)
    reason = request.headers.get("X-Audit-Log-Reason")
    call = Call(
        request.method,
        request.path.removeprefix(API_PREFIX),
        route,
        dict(request.query),
        None,
        time=time.time(),
        reason=unquote(reason) if reason else None,
    )
    sandbox.calls.add(call)
    try:
        call.json, files = await _read(request)
        call.files = [(f.filename, f.content_type, len(f.data)) for f in files]
        request[JSON_BODY], request[UPLOADS] = call.json, files
        response = await _answer(request, handler, call, sandbox)
    except DiscordError as error:
        response = json_response(error.body(), error.status)
    except web.HTTPException as error:
        response = json_response(
            {"message": f"{error.status}: {error.reason}", "code": 0}, error.status
        )
    except Exception as error:
        # A sandbox bug: answer 400 (never retried by discord.py) so tests fail fast and say why.
        log.exception("sandbox error on %s", route)
        call.error = repr(error)
        response = json_response({"message": f"sandbox internal error: {error!r}", "code": 0}, 400)
    call.status, call.answer = response.status, answer_body(response)
    return response


async def _answer(
    request: web.Request, handler: Handler, call: Call, sandbox: Backend
) -> web.StreamResponse:
    for fault in sandbox.faults.take(call.route):
        if fault.delay:
            await asyncio.sleep(fault.delay)
        if fault.status:
            call.fault = fault.kind
            headers = fault.headers()
            if fault.status == 429 and call.known:
                # The bucket the emulation uses for this route, so discord.py's map stays right.
                headers["X-RateLimit-Bucket"] = sandbox.rate_limits.bucket_hash(call.route)
            return json_response(fault.body(), fault.status, headers)
    if request.match_info.http_exception is not None:
        raise request.match_info.http_exception
    if not _authorized(request, call.route, sandbox.state.token):
        raise DiscordError(401, 0, "401: Unauthorized")
    admission = sandbox.rate_limits.admit(call.route, request.match_info)
    if admission.refused is not None:
        call.limited = admission.scope
        return json_response(admission.refused, 429, admission.headers)
    try:
        response = await handler(request)
    except DiscordError as error:  # errors count against the bucket and say so too
        response = json_response(error.body(), error.status)
    response.headers.update(admission.headers)
    return response
