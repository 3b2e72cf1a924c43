"""`lyceum stats` and `lyceum import dce`: the numbers and the history, from a terminal."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from bot.cli_args import (
    Command,
    add_config_argument,
    add_guild_argument,
    configured_guild_id,
    settings_from,
)
from bot.core.clock import SystemClock
from bot.core.errors import DomainError
from bot.settings import Settings
from storage.database import Database
from storage.migrate import ensure_migrated

if TYPE_CHECKING:  # the stats service (and matplotlib) load only when a command runs
    from bot.services.importer import FileResult, Progress
    from bot.services.stats import WeeklyReport


def _config(parser: argparse.ArgumentParser) -> None:
    add_config_argument(parser)
    add_guild_argument(parser)


def add_stats_arguments(parser: argparse.ArgumentParser) -> None:
    """`lyceum stats --config PATH --guild ID [--week 2026-W47] [--json] [--charts DIR]`."""
    _config(parser)
    parser.add_argument("--week", help="ISO week such as 2026-W47 (default: the last complete one)")
    parser.add_argument("--json", action="store_true", help="print the numbers as JSON")
    parser.add_argument("--charts", metavar="DIR", help="also write the PNG charts into DIR")
    parser.add_argument(
        "--rebuild",
        action="store_true",
        help="rebuild the stats rollups from the whole log first (slow; for repairs)",
    )


def add_import_arguments(parser: argparse.ArgumentParser) -> None:
    """`lyceum import dce --config PATH --guild ID FILE...`."""
    sources = parser.add_subparsers(dest="source", required=True, metavar="SOURCE")
    dce = sources.add_parser(
        "dce",
        help="DiscordChatExporter JSON exports (one per channel or thread)",
        description="Import DiscordChatExporter JSON exports; importing a file twice adds nothing.",
    )
    _config(dce)
    dce.add_argument("files", nargs="+", metavar="FILE", help="export files (.json)")


def stats(args: argparse.Namespace) -> int:
    """Print one week's report (a table, or JSON with --json); --charts writes the PNGs."""
    settings = settings_from(args)
    guild_id = configured_guild_id(settings, args)
    try:
        report, drawn = asyncio.run(_stats(settings, guild_id, args))
    except DomainError as error:
        print(f"error: {error.user_message}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False))
    else:
        from bot.services.stats.text import text_report

        print(text_report(report))
    if args.charts:
        folder = Path(args.charts)
        folder.mkdir(parents=True, exist_ok=True)
        for name, data in drawn.items():
            (folder / name).write_bytes(data)
        from bot.services.stats.charts import CHART_FILES

        print(f"charts written to {folder}: {', '.join(CHART_FILES)}", file=sys.stderr)
    return 0


async def _stats(
    settings: Settings, guild_id: int, args: argparse.Namespace
) -> tuple[WeeklyReport, dict[str, bytes]]:
    db = Database.from_url(settings.database.url)
    try:
        await ensure_migrated(db)
        from bot.services.stats import StatsService

        service = StatsService(db, SystemClock(), settings)
        if args.rebuild:
            await service.rebuild_rollups()
        report = await service.weekly_report(guild_id, args.week)
        return report, (await service.charts(report) if args.charts else {})
    finally:
        await db.close()


class ProgressLine:
    """A one-line progress bar on a terminal (nothing when output is redirected)."""

    def __init__(self, stream: TextIO | None = None, every_s: float = 0.2) -> None:
        # Looked up now, not when the module was imported: tests and callers swap it.
        self._stream = stream or sys.stderr
        self._enabled = self._stream.isatty()
        self._every_s = every_s
        self._last = 0.0
        self._started: dict[str, float] = {}

    def __call__(self, progress: Progress) -> None:
        if not self._enabled:
            return
        now = time.monotonic()
        started = self._started.setdefault(progress.path, now)
        if not progress.done and now - self._last < self._every_s:
            return
        self._last = now
        share = progress.bytes_read / progress.total_bytes if progress.total_bytes else 1.0
        rate = progress.messages / max(now - started, 1e-6)
        filled = int(share * 30)
        bar = "#" * filled + "-" * (30 - filled)
        name = Path(progress.path).name
        self._stream.write(
            f"\r{name[:40]:<40} [{bar}] {share:6.1%}  {progress.messages:>11,} messages"
            f"  {rate:>9,.0f}/s"
        )
        if progress.done:
            self._stream.write("\n")
        self._stream.flush()


def import_history(args: argparse.Namespace) -> int:
    """Import history files; exit 1 when any file failed (the others are kept)."""
    settings = settings_from(args)
    guild_id = configured_guild_id(settings, args)
    missing = [name for name in args.files if not Path(name).is_file()]
    if missing:
        print(f"error: no such file: {', '.join(missing)}", file=sys.stderr)
        return 1
    results = asyncio.run(_import(settings, guild_id, args.files))
    failed = [r for r in results if r.error]
    for result in results:
        if result.error:
            print(f"error: {result.error}", file=sys.stderr)
        else:
            print(
                f"{result.path}: {result.messages:,} messages, {result.added:,} new interactions, "
                f"{result.members:,} members, {result.skipped_bots:,} from bots skipped"
            )
    print(f"{len(results) - len(failed)} of {len(results)} file(s) imported; stats rollups updated")
    return 1 if failed else 0


async def _import(settings: Settings, guild_id: int, files: list[str]) -> list[FileResult]:
    db = Database.from_url(settings.database.url)
    try:
        await ensure_migrated(db)
        from bot.services.importer import DceImporter
        from bot.services.stats import StatsService

        stats_service = StatsService(db, SystemClock(), settings)
        return await DceImporter(db, stats_service).import_files(guild_id, files, ProgressLine())
    finally:
        await db.close()


COMMANDS = [
    Command("stats", "print a week's stats report", add_stats_arguments, stats),
    Command(
        "import",
        "import history (DiscordChatExporter exports)",
        add_import_arguments,
        import_history,
    ),
]
