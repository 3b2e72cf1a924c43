"""Importing DiscordChatExporter history: one transaction per file, rollups refreshed after."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.services.importer.dce import BadMessage, Conversion
from bot.services.importer.reader import ExportFormatError, ExportReader
from bot.services.stats import StatsService
from storage import imports
from storage.database import Database, Session
from storage.stats import rollups

log = logging.getLogger(__name__)

BATCH_ROWS = 5000
PROGRESS_EVERY = 5000  # messages


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


class _Writes:
    """One batch insert in flight while the next batch is parsed."""

    def __init__(self) -> None:
        self.added = 0
        self._pending: asyncio.Task[int] | None = None

    async def submit(self, session: Session, rows: list[imports.ImportRow]) -> None:
        await self.drain()
        self._pending = asyncio.create_task(imports.insert_interactions(session, rows))
        await asyncio.sleep(0)  # let it hand the rows to the database before parsing on

    async def drain(self) -> None:
        if self._pending is not None:
            pending, self._pending = self._pending, None
            self.added += await pending


class DceImporter:
    """Reads DiscordChatExporter JSON exports into the interaction log and the roster."""

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
        if self._stats is not None and any(r.added for r in results):
            await self._stats.refresh_rollups()
        return results

    async def import_file(
        self, guild_id: int, path: str | Path, progress: ProgressCallback | None = None
    ) -> FileResult:
        """Import one export atomically; raises `ExportFormatError` naming file and position."""
        reader = ExportReader(path)
        total = reader.size
        conversion: Conversion | None = None
        writes = _Writes()
        async with self._db.transaction() as session:
            # Holds the stats cursor: a refresh waits for this file instead of skipping it.
            await rollups.lock_cursor(session)
            try:
                for message in reader.messages():
                    if conversion is None:
                        conversion = self._start(guild_id, reader)
                    try:
                        conversion.add(message)
                    except BadMessage as error:
                        reader.fail_at_last_message(str(error))
                    if len(conversion.rows) >= BATCH_ROWS:
                        await writes.submit(session, conversion.rows)
                        conversion.rows = []
                    if progress and reader.messages_read % PROGRESS_EVERY == 0:
                        progress(
                            Progress(str(path), reader.bytes_read, total, reader.messages_read)
                        )
            finally:
                await writes.drain()
            if conversion is not None:
                await writes.submit(session, conversion.rows)
                await writes.drain()
                await imports.upsert_members(session, guild_id, conversion.members)
        added = writes.added
        if progress:
            progress(Progress(str(path), total, total, reader.messages_read, done=True))
        result = FileResult(
            path=str(path),
            messages=reader.messages_read,
            added=added,
            skipped_bots=conversion.skipped_bots if conversion else 0,
            skipped_other=conversion.skipped_other if conversion else 0,
            members=len(conversion.members) if conversion else 0,
        )
        log.info("imported %s: %d messages, %d new interactions", path, result.messages, added)
        return result

    @staticmethod
    def _start(guild_id: int, reader: ExportReader) -> Conversion:
        exported = reader.header.guild_id
        if exported is not None and exported != guild_id:
            reader.fail_at_last_message(
                f"this is an export of guild {exported}, not of guild {guild_id}"
            )
        return Conversion(guild_id=guild_id, channel_id=reader.header.channel_id)
