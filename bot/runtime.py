"""Builds and runs everything on one event loop; shuts it down in order."""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import aiohttp
import discord
from aiohttp import web

from bot.client import EXTENSIONS, AnyLyceumBot, create_bot
from bot.clock import Clock, SystemClock
from bot.discord_endpoint import use_api_base
from bot.discord_ports import DiscordNotifier, DiscordPublisher, DiscordRoles
from bot.scheduler import Scheduler
from bot.services.container import Ports, Services, build_services
from bot.settings import Settings
from bot.web import GatewayStatus, ShardStatus, WebDeps, create_web_app
from bot.web_routes import feature_routes
from storage.database import Database
from storage.interaction_log import InteractionLog
from storage.migrate import ensure_migrated

log = logging.getLogger(__name__)

WEB_SHUTDOWN_S = 10.0


@dataclass
class App:
    """A running Lyceum: the bot, its services and the web server's address."""

    bot: AnyLyceumBot
    services: Services
    web_url: str
    bot_task: asyncio.Task[None]


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
    extensions: tuple[str, ...] = EXTENSIONS,
    wait_until_ready: float | None = None,
) -> AsyncIterator[App]:
    """Start the bot, web server, scheduler and log writer; stop them in order on exit."""
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
            async with _bot_and_friends(
                settings, db, interaction_log, clock or SystemClock(), extensions, wait_until_ready
            ) as app:
                yield app
        finally:
            await interaction_log.close()
    finally:
        await db.close()


@asynccontextmanager
async def _bot_and_friends(
    settings: Settings,
    db: Database,
    interaction_log: InteractionLog,
    clock: Clock,
    extensions: tuple[str, ...],
    wait_until_ready: float | None,
) -> AsyncIterator[App]:
    bot = create_bot(settings, extensions)
    scheduler = Scheduler(cut_off=db.cancel_between_transactions)
    ports = Ports(
        roles=DiscordRoles(bot), publisher=DiscordPublisher(bot), notifier=DiscordNotifier(bot)
    )
    services = build_services(settings, db, interaction_log, clock, scheduler, ports)
    bot.attach(services)
    deps = WebDeps(
        db=db, interaction_log=interaction_log, gateway_status=lambda: gateway_status(bot)
    )
    web_app = create_web_app(deps, feature_routes(services))
    # Everything built so far lives as long as the process: keep it out of the
    # garbage collector's full passes, which otherwise stall the loop for tens of ms.
    gc.freeze()
    bot_task: asyncio.Task[None] | None = None
    try:
        async with bot:  # discord.py's loop-bound set-up; leaving it closes the bot
            try:
                async with web_server(web_app, settings.web.host, settings.web.port) as web_url:
                    try:
                        scheduler.start()
                        bot_task = asyncio.create_task(
                            bot.start(settings.discord.token.reveal()), name="discord-bot"
                        )
                        if wait_until_ready is not None:
                            await _wait_ready(bot, bot_task, wait_until_ready)
                        yield App(bot=bot, services=services, web_url=web_url, bot_task=bot_task)
                    finally:
                        # Intake stops first: no new gateway event; then the web server
                        # stops taking requests and finishes the ones it is serving.
                        await bot.stop_taking_events()
            finally:
                # Then the timers; then leaving `async with bot` lets running handlers
                # finish, unloads the extensions (their workers stop between units of
                # work) and disconnects.
                await scheduler.shutdown()
    finally:
        if bot_task is not None:
            await _finish_bot(bot_task, settings)


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


async def _wait_ready(bot: discord.Client, bot_task: asyncio.Task[None], seconds: float) -> None:
    ready = asyncio.create_task(bot.wait_until_ready())
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
        interaction_log = signals.interaction_log = app.services.interaction_log
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
