"""The `lyceum` command line (also `python -m bot`)."""

from __future__ import annotations

import argparse
import asyncio
import importlib
import logging
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from bot.cli_args import (
    Command,
    CommandFailed,
    add_config_argument,
    settings_from,
)
from bot.features import FEATURES, guild_sections
from bot.settings import SettingsError, load_settings
from bot.settings.secrets import ScrubbingFormatter, environment_secrets, remember, scrub
from storage.database import Database
from storage.migrate import DatabaseNotMigrated, current_revisions, upgrade

log = logging.getLogger(__name__)


def _check_config(args: argparse.Namespace) -> int:
    try:
        settings = load_settings(args.path, os.environ, sections=guild_sections())
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


def _add_path_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", help="config file to check")


CORE_COMMANDS: list[Command] = [
    Command("run", "run the bot, web server and scheduler", add_config_argument, _run),
    Command("migrate", "create or upgrade the database schema", add_config_argument, _migrate),
    Command("check-config", "validate a config file", _add_path_argument, _check_config),
    Command("demo", "run the offline demo against the sandbox", _add_demo_arguments, _demo),
]


def commands() -> list[Command]:
    """The core commands, then each feature's (`Feature.commands` names their module)."""
    found = list(CORE_COMMANDS)
    for feature in FEATURES:
        if feature.commands is not None:
            found += importlib.import_module(feature.commands).COMMANDS
    return found


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
    for command in commands():
        sub = subcommands.add_parser(command.name, help=command.help, description=command.help)
        command.add_arguments(sub)
        sub.set_defaults(handler=command.handler)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `lyceum` console script."""
    remember(environment_secrets(os.environ))
    args = build_parser().parse_args(argv)
    level = args.log_level or ("INFO" if args.command in LONG_RUNNING else "WARNING")
    with logging_to_stderr(level):
        return _handle(args)


def _handle(args: argparse.Namespace) -> int:
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


@contextmanager
def logging_to_stderr(level: str) -> Iterator[None]:
    """Log to stderr at `level` through a formatter that scrubs every known secret.

    Undone when the block ends, so calling `main` leaves logging as it found it.
    """
    root, alembic = logging.getLogger(), logging.getLogger("alembic")
    before = (root.level, alembic.level)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(ScrubbingFormatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(level)
    if level != "DEBUG":
        alembic.setLevel(logging.WARNING)
    try:
        yield
    finally:
        root.removeHandler(handler)
        root.setLevel(before[0])
        alembic.setLevel(before[1])


def one_line(error: BaseException, limit: int = 200) -> str:
    """The error's type and message on one short line."""
    try:
        message = " ".join(str(error).split())
    except Exception:  # a message that cannot even be rendered
        message = ""
    text = f"{type(error).__name__}: {message}" if message else type(error).__name__
    return text if len(text) <= limit else f"{text[: limit - 3]}..."
