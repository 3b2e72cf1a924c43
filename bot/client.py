"""The discord.py bot: intents, extensions, command sync and the error handler."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.cooldowns import LyceumTree, MemberCooldowns
from bot.core.access import SERVER_MANAGERS
from bot.discord_ports import audience_extras, declared_permissions
from bot.error_handler import on_app_command_error
from bot.feature import Services
from bot.settings import Settings

log = logging.getLogger(__name__)

HANDLER_GRACE_S = 5.0
GATEWAY_CLOSE_S = 2.0
# Names discord.py 2.x gives the tasks that run event listeners, app commands,
# component and modal callbacks (client.py, app_commands/tree.py, ui/view.py, ui/modal.py).
_HANDLER_TASK_PREFIXES = (
    "discord.py: ",
    "CommandTree-invoker",
    "discord-ui-view-dispatch-",
    "discord-ui-modal-dispatch-",
    "discord-ui-dynamic-item-",
)


def intents() -> discord.Intents:
    """What the bot listens to: members, messages (no content), reactions, voice."""
    wanted = discord.Intents.default()
    wanted.members = True
    wanted.message_content = False
    wanted.presences = False
    wanted.typing = False
    return wanted


def _bot_options(settings: Settings) -> dict[str, Any]:
    options: dict[str, Any] = {
        "command_prefix": commands.when_mentioned,
        "intents": intents(),
        "help_command": None,
        "guild_ready_timeout": settings.discord.guild_ready_timeout,
        # Nothing the bot sends pings anyone unless that one send says so.
        "allowed_mentions": discord.AllowedMentions.none(),
        "tree_cls": LyceumTree,
    }
    if settings.discord.application_id:
        options["application_id"] = settings.discord.application_id
    return options


class _LyceumBehaviour:
    """What the plain and the sharded bot share."""

    settings: Settings
    _services: Services | None
    _catch_up: Callable[[], Awaitable[None]] | None = None
    _catching_up: asyncio.Lock
    caught_up: asyncio.Event  # set once the first catch-up after READY is done
    handler_grace: float = HANDLER_GRACE_S
    _taking_events: bool = True
    _closing: bool = False

    @property
    def services(self) -> Services:
        """The services the cogs call (set before the bot starts)."""
        if self._services is None:
            raise RuntimeError("services are attached in main() before the bot starts")
        return self._services

    def attach(
        self, services: Services, catch_up: Callable[[], Awaitable[None]] | None = None
    ) -> None:
        """Give the bot its services (the cogs pick theirs when loaded) and what to run,
        once at a time, each time the gateway is ready."""
        self._services = services
        self._catch_up = catch_up
        self._catching_up = asyncio.Lock()
        self.caught_up = asyncio.Event()

    async def on_ready(self) -> None:
        """The one catch-up after (re)connecting: what each feature missed, in order."""
        if self._catch_up is not None:
            async with self._catching_up:
                await self._catch_up()
        self.caught_up.set()

    def setup_group(self) -> app_commands.Group:
        """The one `/setup` group; each feature adds its subcommands to it."""
        tree: app_commands.CommandTree[Any] = self.tree  # type: ignore[attr-defined]
        existing = tree.get_command("setup")
        if isinstance(existing, app_commands.Group):
            return existing
        group = app_commands.Group(
            name="setup",
            description="Configure Lyceum for this server.",
            guild_only=True,
            default_permissions=declared_permissions(SERVER_MANAGERS),
            extras=audience_extras(SERVER_MANAGERS),
        )
        tree.add_command(group)
        return group

    async def on_message(self, message: discord.Message, /) -> None:
        """Lyceum has no prefix commands: skip discord.py's per-message command parsing."""

    async def _unload_extensions(self) -> None:
        """Unload every extension in load order; say so when one fails to unload."""
        bot: commands.Bot = self  # type: ignore[assignment]  # always mixed into a Bot
        for name in tuple(bot.extensions):
            try:
                await bot.unload_extension(name)
            except Exception:
                log.exception("unloading extension %s failed", name)

    async def _close_in_order(self) -> None:
        """Stop taking gateway events, let running handlers finish, then unload extensions."""
        if self._closing:
            return
        self._closing = True
        await self.stop_taking_events()
        await self.let_handlers_finish()
        await self._unload_extensions()

    async def stop_taking_events(self) -> None:
        """Close the gateway so no new event arrives; REST calls still work."""
        raise NotImplementedError

    async def let_handlers_finish(self) -> None:
        """Wait (at most `handler_grace` s) for running listeners, commands and callbacks."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.handler_grace
        while running := running_handlers():
            remaining = deadline - loop.time()
            if remaining <= 0:
                log.warning(
                    "closing with %d handler(s) still running after %.1fs: %s",
                    len(running),
                    self.handler_grace,
                    ", ".join(sorted(t.get_name() for t in running)),
                )
                return
            await asyncio.wait(running, timeout=remaining, return_when=asyncio.FIRST_COMPLETED)


def running_handlers() -> set[asyncio.Task[Any]]:
    """discord.py's tasks that are running a handler right now (not the caller's own)."""
    current = asyncio.current_task()
    return {
        task
        for task in asyncio.all_tasks()
        if task is not current
        and not task.done()
        and task.get_name().startswith(_HANDLER_TASK_PREFIXES)
    }


class LyceumBot(_LyceumBehaviour, commands.Bot):
    """The Lyceum bot on one gateway connection."""

    def __init__(self, settings: Settings, extensions: tuple[str, ...]) -> None:
        super().__init__(**_bot_options(settings))
        self.settings = settings
        self._services = None
        self._extensions = extensions
        self._gateway_reader: asyncio.Task[Any] | None = None

    async def setup_hook(self) -> None:
        await setup(self, self._extensions)

    def is_closed(self) -> bool:
        """True once the bot stopped taking events: discord.py then does not reconnect."""
        return not self._taking_events or super().is_closed()

    async def connect(self, *, reconnect: bool = True) -> None:
        """Read the gateway until it is closed (remembering which task reads it)."""
        self._gateway_reader = asyncio.current_task()
        await super().connect(reconnect=reconnect)

    async def stop_taking_events(self) -> None:
        """Close the gateway socket; wait (bounded) until nothing reads or reopens it."""
        self._taking_events = False
        loop = asyncio.get_running_loop()
        deadline = loop.time() + GATEWAY_CLOSE_S
        while True:
            # A reconnect in progress may open a socket after this one is closed: close it too.
            if self.ws is not None and self.ws.open:
                await self.ws.close(code=1000)
            reader = self._gateway_reader
            if reader is None or reader.done() or loop.time() >= deadline:
                return
            await asyncio.wait({reader}, timeout=0.05)

    async def close(self) -> None:
        """Stop taking events, let running handlers finish (bounded), unload the
        extensions, then close the connection to Discord."""
        await self._close_in_order()
        await super().close()


class ShardedLyceumBot(_LyceumBehaviour, commands.AutoShardedBot):
    """The Lyceum bot on the shards named in the settings."""

    def __init__(self, settings: Settings, extensions: tuple[str, ...]) -> None:
        options = _bot_options(settings)
        options["shard_count"] = settings.discord.shard_count
        if settings.discord.shard_ids:
            options["shard_ids"] = list(settings.discord.shard_ids)
        super().__init__(**options)
        self.settings = settings
        self._services = None
        self._extensions = extensions

    async def setup_hook(self) -> None:
        await setup(self, self._extensions)

    def is_closed(self) -> bool:
        """True once the bot stopped taking events: no shard reconnects then."""
        return not self._taking_events or super().is_closed()

    async def stop_taking_events(self) -> None:
        """Disconnect every shard (its reader stops; it does not reconnect)."""
        self._taking_events = False
        for shard in self.shards.values():
            await shard.disconnect()

    async def close(self) -> None:
        """Stop taking events, let running handlers finish (bounded), unload the
        extensions, then close the connection to Discord."""
        await self._close_in_order()
        await super().close()


AnyLyceumBot = LyceumBot | ShardedLyceumBot


def create_bot(settings: Settings, extensions: tuple[str, ...]) -> AnyLyceumBot:
    """A sharded bot when shards are configured, else a plain one."""
    if settings.discord.shard_count:
        return ShardedLyceumBot(settings, extensions)
    return LyceumBot(settings, extensions)


async def setup(bot: AnyLyceumBot, extensions: tuple[str, ...]) -> None:
    """Load the extensions, install the error handler, sync commands if asked."""
    bot.tree.on_error = on_app_command_error  # type: ignore[method-assign]
    if isinstance(bot.tree, LyceumTree):
        rate = bot.settings.discord.member_commands_per_minute
        bot.tree.cooldowns = MemberCooldowns(rate, 60.0)
    for name in extensions:
        await bot.load_extension(name)
    if not bot.settings.discord.sync_commands:
        return
    dev_guild = bot.settings.discord.dev_guild_id
    if dev_guild:
        guild = discord.Object(dev_guild)
        bot.tree.copy_global_to(guild=guild)
        synced = await bot.tree.sync(guild=guild)
        log.info("synced %d commands to dev guild %s", len(synced), dev_guild)
    else:
        synced = await bot.tree.sync()
        log.info("synced %d global commands", len(synced))
