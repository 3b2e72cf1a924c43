"""The `lyceum` command line (also `python -m bot`)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from bot import stats_cli
from bot.cli_args import (
    CommandFailed,
    add_config_argument,
    add_guild_argument,
    configured_guild_id,
    settings_from,
)
from bot.settings import SettingsError, load_settings
from bot.settings.secrets import ScrubbingFormatter, environment_secrets, remember, scrub
from storage.database import Database
from storage.migrate import DatabaseNotMigrated, current_revisions, upgrade

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Command:
    """One subcommand: its arguments and what it does."""

    name: str
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    handler: Callable[[argparse.Namespace], int]


def _check_config(args: argparse.Namespace) -> int:
    try:
        settings = load_settings(args.path, os.environ)
    except SettingsError as error:
        _print_problems(args.path, error.problems)
        return 1
    problems = settings.problems_for_run()
    if problems:
        _print_problems(args.path, problems)
        return 1
    print(scrub(f"ok: {settings.summary()}"))
    return 0


def _print_problems(path: str, problems: Sequence[str]) -> None:
    print(scrub(f"{path}: {len(problems)} problem(s):"))
    for problem in problems:
        print(scrub(f"  - {problem}"))


def _migrate(args: argparse.Namespace) -> int:
    settings = settings_from(args)

    async def migrate() -> frozenset[str]:
        db = Database.from_url(settings.database.url)
        try:
            await upgrade(db)
            return await current_revisions(db)
        finally:
            await db.close()

    revisions = asyncio.run(migrate())
    print(f"database migrated: at {', '.join(sorted(revisions))} (the newest)")
    return 0


def _run(args: argparse.Namespace) -> int:
    from bot.runtime import run

    settings = settings_from(args)
    problems = settings.problems_for_run()
    if problems:
        _print_problems(args.config, problems)
        return 1
    return asyncio.run(run(settings))


def _demo(args: argparse.Namespace) -> int:
    # Imported here: only the demo needs the stand-ins; the bot itself never does.
    from sandbox.demo import fresh_data_dir, run_demo

    return asyncio.run(run_demo(fresh_data_dir(args.data_dir)))


def _add_demo_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", default="demo-data", help="where the demo writes its files")


def _webhooks(args: argparse.Namespace) -> int:
    from bot.billing_cli import serve_webhooks

    return asyncio.run(serve_webhooks(settings_from(args)))


def _entitlements(args: argparse.Namespace) -> int:
    from bot.billing_cli import print_entitlements

    settings = settings_from(args)
    return print_entitlements(settings, configured_guild_id(settings, args), as_json=args.json)


def _add_entitlements_arguments(parser: argparse.ArgumentParser) -> None:
    add_config_argument(parser)
    add_guild_argument(parser)
    parser.add_argument("--json", action="store_true", help="print JSON")


def _add_path_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", help="config file to check")


COMMANDS: list[Command] = [
    Command("run", "run the bot, web server and scheduler", add_config_argument, _run),
    Command("migrate", "create or upgrade the database schema", add_config_argument, _migrate),
    Command("check-config", "validate a config file", _add_path_argument, _check_config),
    Command("demo", "run the offline demo against the sandbox", _add_demo_arguments, _demo),
    Command("webhooks", "serve the Stripe webhook receiver alone", add_config_argument, _webhooks),
    Command(
        "entitlements", "list who holds which tier", _add_entitlements_arguments, _entitlements
    ),
    Command("stats", "print a week's stats report", stats_cli.add_stats_arguments, stats_cli.stats),
    Command(
        "import",
        "import history (DiscordChatExporter exports)",
        stats_cli.add_import_arguments,
        stats_cli.import_history,
    ),
]


LONG_RUNNING = frozenset({"run", "webhooks"})


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(prog="lyceum", description=__doc__)
    parser.add_argument(
        "--log-level",
        default=os.environ.get("LYCEUM_LOG_LEVEL"),
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="default: INFO for the long-running commands, WARNING for the others",
    )
    subcommands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        sub = subcommands.add_parser(command.name, help=command.help, description=command.help)
        command.add_arguments(sub)
        sub.set_defaults(handler=command.handler)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `lyceum` console script."""
    remember(environment_secrets(os.environ))
    args = build_parser().parse_args(argv)
    level = args.log_level or ("INFO" if args.command in LONG_RUNNING else "WARNING")
    configure_logging(level)
    try:
        return int(args.handler(args))
    except SettingsError as error:
        _print_problems(getattr(args, "config", "config"), error.problems)
    except (DatabaseNotMigrated, CommandFailed) as error:
        print(scrub(f"error: {error}"), file=sys.stderr)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
    except Exception as error:  # the last line of defence: one line, never a traceback
        log.debug("lyceum %s failed", args.command, exc_info=True)
        print(
            scrub(f"error: lyceum {args.command} failed: {one_line(error)}")
            + " (--log-level DEBUG shows where)",
            file=sys.stderr,
        )
    return 1


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever `sys.stderr` is when a record comes (tests swap it)."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


def configure_logging(level: str) -> None:
    """Log to stderr at `level` through a formatter that scrubs every known secret."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, _StderrHandler):
            root.removeHandler(handler)
    handler = _StderrHandler()
    handler.setFormatter(ScrubbingFormatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(level)
    if level != "DEBUG":
        logging.getLogger("alembic").setLevel(logging.WARNING)


def one_line(error: BaseException, limit: int = 200) -> str:
    """The error's type and message on one short line."""
    try:
        message = " ".join(str(error).split())
    except Exception:  # a message that cannot even be rendered
        message = ""
    text = f"{type(error).__name__}: {message}" if message else type(error).__name__
    return text if len(text) <= limit else f"{text[: limit - 3]}..."
