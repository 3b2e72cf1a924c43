"""The discord.py bot: intents, extensions, command sync and the error handler."""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord.ext import commands

from bot.error_handler import on_app_command_error
from bot.services.container import Services
from bot.settings import Settings

log = logging.getLogger(__name__)

EXTENSIONS = ("cogs.activity", "cogs.meta", "cogs.billing", "cogs.stats")


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
        "allowed_mentions": discord.AllowedMentions(everyone=False, roles=False),
    }
    if settings.discord.application_id:
        options["application_id"] = settings.discord.application_id
    return options


class _LyceumBehaviour:
    """What the plain and the sharded bot share."""

    settings: Settings
    _services: Services | None

    @property
    def services(self) -> Services:
        """The services the cogs call (set before the bot starts)."""
        if self._services is None:
            raise RuntimeError("services are attached in main() before the bot starts")
        return self._services

    def attach(self, services: Services) -> None:
        """Give the bot its services; the cogs pick theirs when loaded."""
        self._services = services

    async def on_message(self, message: discord.Message, /) -> None:
        """Lyceum has no prefix commands: skip discord.py's per-message command parsing."""


class LyceumBot(_LyceumBehaviour, commands.Bot):
    """The Lyceum bot on one gateway connection."""

    def __init__(self, settings: Settings, extensions: tuple[str, ...] = EXTENSIONS) -> None:
        super().__init__(**_bot_options(settings))
        self.settings = settings
        self._services = None
        self._extensions = extensions

    async def setup_hook(self) -> None:
        await setup(self, self._extensions)


class ShardedLyceumBot(_LyceumBehaviour, commands.AutoShardedBot):
    """The Lyceum bot on the shards named in the settings."""

    def __init__(self, settings: Settings, extensions: tuple[str, ...] = EXTENSIONS) -> None:
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


AnyLyceumBot = LyceumBot | ShardedLyceumBot


def create_bot(settings: Settings, extensions: tuple[str, ...] = EXTENSIONS) -> AnyLyceumBot:
    """A sharded bot when shards are configured, else a plain one."""
    if settings.discord.shard_count:
        return ShardedLyceumBot(settings, extensions)
    return LyceumBot(settings, extensions)


async def setup(bot: AnyLyceumBot, extensions: tuple[str, ...]) -> None:
    """Load the extensions, install the error handler, sync commands if asked."""
    bot.tree.on_error = on_app_command_error  # type: ignore[method-assign]
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
