"""Importing DiscordChatExporter history: one transaction per file, rollups refreshed after."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.services.importer.parsing import Finished, parse_in_child, parse_in_process
from bot.services.importer.reader import ExportFormatError
from bot.services.stats import StatsService
from storage.database import Database, Session
from storage.stats import cursor
from storage.stats import history as imports

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Progress:
    """How far the import of one file has come."""

    path: str
    bytes_read: int
    total_bytes: int
    messages: int
    done: bool = False


@dataclass(frozen=True)
class FileResult:
    """What importing one file did (`error` set when nothing was imported from it)."""

    path: str
    messages: int = 0
    added: int = 0
    skipped_bots: int = 0
    skipped_other: int = 0
    members: int = 0
    error: str | None = None


ProgressCallback = Callable[[Progress], None]


def clip(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, marked when cut."""
    return text if len(text) <= limit else f"{text[: limit - 3]}..."


class _Writes:
    """One batch insert in flight while the next batch is parsed."""

    def __init__(self) -> None:
        self.added = 0
        self._pending: asyncio.Task[int] | None = None

    async def submit(self, session: Session, rows: list[imports.HistoryRow]) -> None:
        await self.drain()
        self._pending = asyncio.create_task(imports.insert_interactions(session, rows))
        await asyncio.sleep(0)  # let it hand the rows to the database before parsing on

    async def drain(self) -> None:
        if self._pending is not None:
            pending, self._pending = self._pending, None
            self.added += await pending


class DceImporter:
    """Reads DiscordChatExporter JSON exports into the interaction log and the roster.

    Files of `child_process_bytes` or more are parsed in a second process (two cores);
    smaller ones in this process, which starts faster.
    """

    child_process_bytes = 16 << 20

    def __init__(self, db: Database, stats: StatsService | None = None) -> None:
        self._db = db
        self._stats = stats

    async def import_files(
        self, guild_id: int, paths: Sequence[str | Path], progress: ProgressCallback | None = None
    ) -> list[FileResult]:
        """Import each file in its own transaction, then bring the stats rollups up to date.

        A malformed file is reported in its result and leaves nothing behind; the other
        files are still imported.
        """
        results = []
        for path in paths:
            try:
                results.append(await self.import_file(guild_id, path, progress))
            except (ExportFormatError, OSError) as error:
                log.warning("import of %s failed: %s", path, error)
                results.append(FileResult(path=str(path), error=str(error)))
            except Exception as error:  # the database refused a row, a bug: still one file
                log.exception("import of %s failed", path)
                reason = f"{path}: not imported ({type(error).__name__}: {error})"
                results.append(FileResult(path=str(path), error=clip(reason, 500)))
        if self._stats is not None and any(r.added for r in results):
            await self._stats.refresh_rollups()
        return results

    async def import_file(
        self, guild_id: int, path: str | Path, progress: ProgressCallback | None = None
    ) -> FileResult:
        """Import one export atomically; raises `ExportFormatError` naming file and position."""
        name = str(path)
        total = await asyncio.to_thread(os.path.getsize, name)
        parsed = (
            parse_in_child(name, guild_id)
            if total >= self.child_process_bytes
            else parse_in_process(name, guild_id)
        )
        writes = _Writes()
        finished: Finished | None = None
        async with self._db.transaction() as session:
            # Holds the stats cursor: a refresh waits for this file instead of skipping it.
            await cursor.lock_cursor(session)
            await imports.bulk_mode(session, True)
            try:
                async for item in parsed:
                    if isinstance(item, Finished):
                        finished = item
                        break
                    await writes.submit(session, item.rows)
                    if progress:
                        progress(Progress(name, item.bytes_read, total, item.messages))
                conversion = finished.conversion if finished else None
                if conversion is not None:
                    await writes.submit(session, conversion.rows)
                    await writes.drain()
                    await imports.upsert_members(session, guild_id, conversion.members)
            finally:
                await writes.drain()
                await parsed.aclose()
                await imports.bulk_mode(session, False)
        messages = finished.messages if finished else 0
        if progress:
            progress(Progress(name, total, total, messages, done=True))
        conversion = finished.conversion if finished else None
        result = FileResult(
            path=name,
            messages=messages,
            added=writes.added,
            skipped_bots=conversion.skipped_bots if conversion else 0,
            skipped_other=conversion.skipped_other if conversion else 0,
            members=len(conversion.members) if conversion else 0,
        )
        log.info("imported %s: %d messages, %d new interactions", path, messages, writes.added)
        return result
