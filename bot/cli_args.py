"""What the `lyceum` subcommands share: `--config`, `--guild`, and the errors they report."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from dataclasses import dataclass

from bot.settings import Settings, load_settings


@dataclass(frozen=True)
class Command:
    """One subcommand: its arguments and what it does."""

    name: str
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    handler: Callable[[argparse.Namespace], int]


class CommandFailed(Exception):
    """A CLI command could not do its job; the message says why (exit 1)."""


def add_config_argument(parser: argparse.ArgumentParser) -> None:
    """The `--config PATH` every command that reads settings takes."""
    parser.add_argument(
        "--config", default="config.toml", metavar="PATH", help="config file (default: %(default)s)"
    )


def add_guild_argument(parser: argparse.ArgumentParser) -> None:
    """The `--guild ID` of the commands that read or write one server's data."""
    parser.add_argument(
        "--guild", type=int, required=True, metavar="ID", help="the server's id (from [[guilds]])"
    )


def settings_from(args: argparse.Namespace) -> Settings:
    """Load the settings named by `--config`, with secrets from the environment."""
    from bot.features import guild_sections  # imported late: the features import settings

    return load_settings(args.config, os.environ, sections=guild_sections())


def configured_guild_id(settings: Settings, args: argparse.Namespace) -> int:
    """`--guild`, when the config has that guild; a mistyped id fails before touching data."""
    if settings.guild(args.guild) is None:
        known = ", ".join(str(guild.id) for guild in settings.guilds) or "none"
        raise CommandFailed(
            f"guild {args.guild} is not in {args.config} (its [[guilds]] ids: {known})"
        )
    return int(args.guild)
