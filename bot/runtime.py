"""Builds and runs everything on one event loop; shuts it down in order."""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import signal
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp
import discord
from aiohttp import web

from bot.client import AnyLyceumBot, create_bot
from bot.core.clock import Clock, SystemClock
from bot.core.events import EventBus
from bot.discord_endpoint import use_api_base
from bot.discord_ports import DiscordNotifier, DiscordPublisher, DiscordRoles, DiscordRoster
from bot.feature import Context, Feature, Ports, Services
from bot.features import FEATURES, extensions
from bot.scheduler import Scheduler
from bot.settings import Settings
from bot.web import GatewayStatus, ShardStatus, WebDeps, create_web_app
from storage.database import Database
from storage.interaction_log import InteractionLog
from storage.migrate import ensure_migrated

log = logging.getLogger(__name__)

WEB_SHUTDOWN_S = 10.0
# The collector's young generation runs after 10,000 new objects instead of 700. In a join
# wave thousands of interactions are in flight, and the default ran a full pass every few
# seconds, each stalling the loop 100-250 ms; this makes full passes about 14 times rarer
# while a young pass stays around 10 ms (benchmarks/join_wave.py, docs/onboarding.md).
GC_THRESHOLDS = (10_000, 10, 10)


@dataclass
class App:
    """A running Lyceum: the bot, what its features were built from, its services."""

    bot: AnyLyceumBot
    context: Context
    web_url: str
    bot_task: asyncio.Task[None]

    @property
    def services(self) -> Services:
        """The features' services, by type."""
        return self.context.services

    @property
    def interaction_log(self) -> InteractionLog:
        """The interaction log's writer."""
        return self.context.interaction_log


def gateway_status(bot: discord.Client) -> GatewayStatus:
    """Read /healthz's view of Discord from the bot's gateway sockets, shard by shard."""
    if isinstance(bot, discord.AutoShardedClient):
        shards = tuple(
            _shard_status(shard_id, not info.is_closed(), info.latency)
            for shard_id, info in sorted(bot.shards.items())
        )
    else:
        ws = bot.ws
        is_open = ws is not None and ws.open
        shards = (_shard_status(bot.shard_id or 0, is_open, bot.latency),)
    connected = not bot.is_closed() and bool(shards) and all(s.connected for s in shards)
    latencies = [s.latency_ms for s in shards if s.latency_ms is not None]
    return GatewayStatus(
        connected=connected,
        ready=connected and bot.is_ready(),
        latency_ms=max(latencies) if connected and latencies else None,
        guilds=len(bot.guilds),
        shards=shards,
    )


def _shard_status(shard_id: int, is_open: bool, latency: float) -> ShardStatus:
    known = is_open and latency == latency and latency != float("inf")
    return ShardStatus(
        id=shard_id, connected=is_open, latency_ms=round(latency * 1000, 1) if known else None
    )


@asynccontextmanager
async def web_server(app: web.Application, host: str, port: int) -> AsyncIterator[str]:
    """Serve `app` until the block ends; yields the base URL.

    Leaving stops taking connections, lets requests in flight finish (at most
    `WEB_SHUTDOWN_S` s: a webhook is answered only once stored), then closes.
    """
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=WEB_SHUTDOWN_S)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound_host, bound_port = runner.addresses[0][:2]
    try:
        yield f"http://{bound_host}:{bound_port}"
    finally:
        await runner.cleanup()


@asynccontextmanager
async def running_app(
    settings: Settings,
    *,
    clock: Clock | None = None,
    features: Sequence[Feature[Any]] = FEATURES,
    extra_extensions: tuple[str, ...] = (),
    provided: Mapping[type[Any], Any] | None = None,
    wait_until_ready: float | None = None,
) -> AsyncIterator[App]:
    """Start the log writer, the features, the web server and the bot; stop them in order.

    `extra_extensions` load after the features' own (tests add cogs this way);
    `provided` hands stand-ins to features for the ports they would build.
    """
    use_api_base(settings.discord.api_base)
    db = Database.from_url(settings.database.url)
    try:
        await ensure_migrated(db)
        interaction_log = InteractionLog(
            db,
            batch_size=settings.interaction_log.batch_size,
            flush_interval=settings.interaction_log.flush_interval_s,
            max_pending=settings.interaction_log.max_pending,
            close_timeout=settings.interaction_log.close_timeout_s,
            max_attempts=settings.interaction_log.max_attempts,
        )
        await interaction_log.start()
        try:
            bot = create_bot(settings, extensions(features) + extra_extensions)
            context = Context(
                settings=settings,
                db=db,
                interaction_log=interaction_log,
                clock=clock or SystemClock(),
                scheduler=Scheduler(cut_off=db.cancel_between_transactions),
                ports=Ports(
                    roles=DiscordRoles(bot),
                    publisher=DiscordPublisher(bot),
                    notifier=DiscordNotifier(bot),
                    roster=DiscordRoster(bot),
                ),
                bus=EventBus(),
                services=Services(),
                provided=provided or {},
            )
            built = build_features(features, context)
            bot.attach(context.services, catch_up=lambda: catch_up(built))
            # Leaving `async with bot` unloads the extensions and closes the Discord session,
            # so the features' workers stop inside it: they may still call Discord.
            bot_task: list[asyncio.Task[None]] = []
            try:
                async with bot, _started(built, context.scheduler):
                    async with _serving(bot, built, context, wait_until_ready, bot_task) as app:
                        yield app
                    # Gateway intake and the web server have stopped; commands in progress
                    # finish before the workers they may have queued for stop.
                    await bot.let_handlers_finish()
            finally:
                if bot_task:
                    await _finish_bot(bot_task[0], settings)
        finally:
            await interaction_log.close()
    finally:
        await db.close()


@dataclass(frozen=True)
class Built:
    """A feature with its service."""

    feature: Feature[Any]
    service: Any


def build_features(features: Sequence[Feature[Any]], context: Context) -> list[Built]:
    """Build each feature's service in declared order (later ones may use earlier ones)."""
    built = []
    for feature in features:
        service = feature.build(context)
        if service is not None:
            context.services.add(service)
        built.append(Built(feature, service))
    return built


@asynccontextmanager
async def _started(built: list[Built], scheduler: Scheduler) -> AsyncIterator[None]:
    """Features' workers and timers, started in declared order and stopped in reverse,
    between units of work; the timers stop first so none fires into a stopped worker."""
    started: list[Built] = []
    scheduler.start()
    try:
        for item in built:
            if item.feature.start is not None:
                await item.feature.start(item.service)
            started.append(item)
        yield
    finally:
        await scheduler.shutdown()
        for item in reversed(started):
            if item.feature.stop is not None:
                try:
                    await item.feature.stop(item.service)
                except Exception:
                    log.exception("stopping %s failed", item.feature.name)


async def catch_up(built: list[Built]) -> None:
    """What each feature missed while the bot was away, in declared order."""
    for item in built:
        if item.feature.catch_up is None:
            continue
        try:
            await item.feature.catch_up(item.service)
        except Exception:
            log.exception("catching up %s failed", item.feature.name)


@asynccontextmanager
async def _serving(
    bot: AnyLyceumBot,
    built: list[Built],
    context: Context,
    wait_until_ready: float | None,
    bot_task: list[asyncio.Task[None]],
) -> AsyncIterator[App]:
    """Serve the web app and run the bot (its task goes into `bot_task`); on exit, gateway
    intake stops first, then the web server finishes the requests it is serving."""
    settings = context.settings
    routes = [route for b in built if b.feature.routes for route in b.feature.routes(b.service)]
    deps = WebDeps(
        db=context.db,
        interaction_log=context.interaction_log,
        gateway_status=lambda: gateway_status(bot),
    )
    web_app = create_web_app(deps, routes)
    # Everything built so far lives as long as the process: keep it out of the
    # garbage collector's full passes, which otherwise stall the loop for tens of ms.
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
    async with web_server(web_app, settings.web.host, settings.web.port) as web_url:
        try:
            task = asyncio.create_task(
                bot.start(settings.discord.token.reveal()), name="discord-bot"
            )
            bot_task.append(task)
            if wait_until_ready is not None:
                await _wait_ready(bot, task, wait_until_ready)
            yield App(bot=bot, context=context, web_url=web_url, bot_task=task)
        finally:
            await bot.stop_taking_events()


async def _finish_bot(bot_task: asyncio.Task[None], settings: Settings) -> None:
    """Wait for the bot task to end; say once, plainly, why it failed if it did."""
    await asyncio.wait({bot_task})
    error = None if bot_task.cancelled() else bot_task.exception()
    if error is None:
        return
    if isinstance(error, discord.LoginFailure):
        log.error("Discord refused the bot token: %s (check DISCORD_TOKEN)", error)
    elif isinstance(error, OSError | aiohttp.ClientError | TimeoutError):
        where = settings.discord.api_base or "discord.com"
        log.error("cannot reach Discord at %s: %s", where, error)
    elif isinstance(error, discord.DiscordException):
        log.error("the Discord connection stopped: %s", error)
    else:
        log.error("the bot stopped", exc_info=error)


async def _wait_ready(bot: AnyLyceumBot, bot_task: asyncio.Task[None], seconds: float) -> None:
    """Until the gateway is ready and the features have caught up with what they missed."""

    async def ready_and_caught_up() -> None:
        await bot.wait_until_ready()
        await bot.caught_up.wait()

    ready = asyncio.create_task(ready_and_caught_up())
    done, _ = await asyncio.wait(
        {ready, bot_task}, timeout=seconds, return_when=asyncio.FIRST_COMPLETED
    )
    if ready in done:
        ready.result()  # raises when the client was never set up
        return
    ready.cancel()
    if bot_task in done:
        bot_task.result()  # raises the login/connection error
    raise TimeoutError(f"the bot was not ready within {seconds} s")


class _Signals:
    """SIGTERM/SIGINT: the first asks for an orderly shutdown, the second forces the exit."""

    def __init__(self) -> None:
        self.stop = asyncio.Event()
        self.interaction_log: InteractionLog | None = None

    def install(self, loop: asyncio.AbstractEventLoop) -> None:
        """Handle both signals on `loop`."""
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self.received, sig)

    def received(self, sig: signal.Signals) -> None:
        """First signal: stop in order; second: exit at once, saying what is lost."""
        if not self.stop.is_set():
            log.info("%s received: shutting down (send it again to exit at once)", sig.name)
            self.stop.set()
            return
        pending = self.interaction_log.pending if self.interaction_log is not None else 0
        log.critical(
            "%s received again: exiting without finishing shutdown; "
            "%d interaction rows were not written",
            sig.name,
            pending,
        )
        logging.shutdown()
        os._exit(1)


async def run(settings: Settings) -> int:
    """`lyceum run`: serve until SIGTERM/SIGINT or the bot stops; exit code."""
    signals = _Signals()
    signals.install(asyncio.get_running_loop())
    async with running_app(settings) as app:
        interaction_log = signals.interaction_log = app.interaction_log
        log.info("Lyceum is running; web server at %s", app.web_url)
        stopper = asyncio.create_task(signals.stop.wait())
        await asyncio.wait({stopper, app.bot_task}, return_when=asyncio.FIRST_COMPLETED)
        stopper.cancel()
        task = app.bot_task
        failed = task.done() and (task.cancelled() or task.exception() is not None)
        if failed and not signals.stop.is_set():
            return 1  # why is logged once, as the app shuts down
        log.info("shutting down")
    if interaction_log.stats.lost:
        log.error("stopped, but %d interaction rows were not written", interaction_log.stats.lost)
        return 1
    log.info("stopped cleanly")
    return 0
