"""DiscordSandbox: a local Discord (REST API v10 + gateway) the real discord.py client talks to."""

# ruff: noqa: ASYNC109  # test-facing helpers take a plain `timeout` on purpose

from __future__ import annotations

import logging
import mimetypes
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self, TypeVar, overload

from aiohttp import web

from sandbox.discord import payloads
from sandbox.discord.backend import Backend
from sandbox.discord.calls import CallLog
from sandbox.discord.driver import Person, SandboxGuild
from sandbox.discord.faults import Faults
from sandbox.discord.gateway import Gateway
from sandbox.discord.interactions import Interactions
from sandbox.discord.messages import Messages
from sandbox.discord.models import Attachment, Channel, Message, User
from sandbox.discord.ratelimits import RateLimits
from sandbox.discord.rest import API_PREFIX, build_api, route_templates
from sandbox.discord.snowflake import iso, snowflake_time
from sandbox.discord.state import State
from sandbox.discord.waiting import poll, poll_predicate

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass
class Event:
    """A gateway event the sandbox dispatched (before per-session intent filtering)."""

    name: str
    data: dict[str, Any]
    guild_id: int | None
    time: float


class DiscordSandbox:
    """Discord on 127.0.0.1: `async with DiscordSandbox() as sandbox:` starts and stops it."""

    def __init__(
        self,
        *,
        token: str | None = None,
        bot_name: str = "Lyceum",
        heartbeat_interval_ms: int = 10_000,
        shard_count: int = 1,
        host: str = "127.0.0.1",
        port: int = 0,
        interaction_deadline: float = 3.0,
        interaction_token_lifetime: float = 15 * 60.0,
        rate_limits: RateLimits | None = None,
    ) -> None:
        self.state = State(token=token or f"sandbox.{secrets.token_urlsafe(24)}", bot_name=bot_name)
        messages = Messages(self.state)
        gateway = Gateway(
            self.state, heartbeat_interval_ms=heartbeat_interval_ms, shard_count=shard_count
        )
        interactions = Interactions(
            self.state,
            messages,
            response_deadline=interaction_deadline,
            token_lifetime=interaction_token_lifetime,
        )
        self.backend = Backend(
            self.state,
            messages,
            interactions,
            gateway,
            CallLog(),
            Faults(),
            rate_limits or RateLimits(),
        )
        api = build_api(self.backend)
        self.routes: list[str] = route_templates(api)
        self.backend.faults.routes.update(self.routes)
        self.events: list[Event] = []
        self.state.subscribe(gateway.dispatch)
        self.state.subscribe(self._record)
        self._app = web.Application()
        self._app.router.add_get("/gateway", gateway.handle)
        self._app.router.add_get("/attachments/{attachment_id}/{filename}", self._attachment)
        self._app.add_subapp(API_PREFIX, api)
        self._host, self._port = host, port
        self._runner: web.AppRunner | None = None
        self.api_base = ""

    # -- lifetime -------------------------------------------------------------------

    async def start(self) -> None:
        """Bind the server (a free port unless one was given)."""
        self._runner = web.AppRunner(self._app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, self._port)
        await site.start()
        port = self._runner.addresses[0][1]
        self.api_base = f"http://{self._host}:{port}"
        self.state.base_url = self.api_base
        self.gateway.url = f"ws://{self._host}:{port}/gateway"
        log.info("discord sandbox listening on %s", self.api_base)

    async def stop(self) -> None:
        """Close gateway connections and the server."""
        await self.gateway.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # -- identity ---------------------------------------------------------------------

    @property
    def token(self) -> str:
        """The bot token the sandbox accepts."""
        return self.state.token

    @property
    def application_id(self) -> int:
        """The bot's application id (differs from the bot user id)."""
        return self.state.application_id

    @property
    def bot_user(self) -> User:
        """The bot's user."""
        return self.state.bot_user

    @property
    def bot_user_id(self) -> int:
        """The bot's user id."""
        return self.state.bot_user.id

    @property
    def gateway(self) -> Gateway:
        """The gateway (sessions, counters)."""
        return self.backend.gateway

    @property
    def calls(self) -> CallLog:
        """Every REST call the bot made."""
        return self.backend.calls

    @property
    def faults(self) -> Faults:
        """Fault injection by route template (see `routes`)."""
        return self.backend.faults

    @property
    def rate_limits(self) -> RateLimits:
        """Discord's rate limits, emulated: `set(route, limit, per)`, `speed`, `enabled`."""
        return self.backend.rate_limits

    # -- setting the scene ----------------------------------------------------------------

    def create_guild(self, name: str) -> SandboxGuild:
        """A guild holding the bot and the owner (GUILD_CREATE goes out if the bot is connected)."""
        return SandboxGuild(self.backend, self.state.create_guild(name))

    def attachment(self, filename: str, data: bytes, content_type: str | None = None) -> Attachment:
        """A file a person uploads, to pass as an attachment option of a command."""
        kind = content_type or mimetypes.guess_type(filename)[0]
        return Attachment(self.state.ids.next(), filename, kind, data)

    # -- waiting ------------------------------------------------------------------------

    @overload
    async def wait_for(
        self,
        predicate: Callable[[], Awaitable[T | None]],
        timeout: float = ...,
        interval: float = ...,
    ) -> T: ...
    @overload
    async def wait_for(
        self, predicate: Callable[[], T | None], timeout: float = ..., interval: float = ...
    ) -> T: ...
    async def wait_for(
        self,
        predicate: Callable[[], T | Awaitable[T | None] | None],
        timeout: float = 5.0,
        interval: float = 0.005,
    ) -> T:
        """Poll `predicate` until truthy (returned) or raise TimeoutError after `timeout`."""
        return await poll_predicate(predicate, timeout, interval)

    async def wait_until_ready(self, timeout: float = 5.0) -> None:
        """Wait until the bot identified (every shard) and its guilds were sent."""
        await poll(self.gateway.is_ready, timeout)
        await self.gateway.flush()

    async def wait_for_event(
        self,
        name: str,
        predicate: Callable[[dict[str, Any]], bool] = lambda _: True,
        timeout: float = 5.0,
    ) -> dict[str, Any]:
        """Wait until the sandbox dispatched an event of that name matching `predicate`."""

        def found() -> dict[str, Any] | None:
            return next((e.data for e in self.events if e.name == name and predicate(e.data)), None)

        return await poll(found, timeout)

    def dispatched(self, name: str) -> list[dict[str, Any]]:
        """Data of every dispatched event with that name."""
        return [e.data for e in self.events if e.name == name]

    # -- gateway faults ---------------------------------------------------------------------

    async def drop_gateway(self, *, resumable: bool = True) -> int:
        """Cut the bot's gateway connections; unless resumable, RESUME gets INVALID_SESSION."""
        return self.gateway.drop(resumable=resumable)

    @asynccontextmanager
    async def gateway_outage(
        self, *, resumable: bool = True, shard_id: int | None = None
    ) -> AsyncIterator[int]:
        """Cut the bot's gateway connections (one shard's, if given); no HELLO until the end."""
        self.gateway.hold()
        try:
            yield self.gateway.drop(resumable=resumable, shard_id=shard_id)
        finally:
            self.gateway.release()

    async def request_reconnect(self) -> None:
        """Send op 7 RECONNECT (the client closes and resumes)."""
        self.gateway.request_reconnect()

    # -- benchmarks -------------------------------------------------------------------------

    async def push_messages(
        self, channel: Channel, author: Person | User, count: int, content: str = "hello"
    ) -> list[int]:
        """Dispatch `count` MESSAGE_CREATE events fast (not kept in history); return their ids."""
        user = author if isinstance(author, User) else author.user
        template = Message(0, channel.id, channel.guild_id, user, content)
        data = payloads.message_create(template, self.state)
        ids = []
        for _ in range(count):
            message_id = self.state.ids.next()
            ids.append(message_id)
            stamp = iso(snowflake_time(message_id))
            self.gateway.dispatch(
                "MESSAGE_CREATE",
                {**data, "id": str(message_id), "timestamp": stamp},
                channel.guild_id,
            )
        await self.gateway.flush()
        return ids

    # -- internals -----------------------------------------------------------------------------

    def _record(self, name: str, data: dict[str, Any], guild_id: int | None) -> None:
        self.events.append(Event(name, data, guild_id, time.time()))

    async def _attachment(self, request: web.Request) -> web.Response:
        found = self.state.attachments.get(int(request.match_info["attachment_id"]))
        if found is None or found.filename != request.match_info["filename"]:
            raise web.HTTPNotFound()
        return web.Response(
            body=found.data, content_type=found.content_type or "application/octet-stream"
        )
