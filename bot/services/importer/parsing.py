"""Reading an export into batches of rows: in this process, or in a second one for big files.

Parsing JSON is the import's heaviest work; in a second process it runs on another core
while this one writes the previous batch to the database.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import queue
from collections.abc import AsyncGenerator, Iterator
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from typing import Any

from bot.services.importer.dce import BadMessage, Conversion
from bot.services.importer.reader import ExportFormatError, ExportReader

BATCH_ROWS = 5000
QUEUED_BATCHES = 4  # bounds memory: at most this many batches wait for the database


@dataclass(frozen=True)
class Batch:
    """Rows ready to write, and how far the file has been read."""

    rows: list[Any]
    bytes_read: int
    messages: int


@dataclass(frozen=True)
class Finished:
    """The end of a file: what the conversion learned beyond its rows."""

    conversion: Conversion | None
    messages: int


Parsed = Batch | Finished


def _header_id(reader: ExportReader, section: str) -> int | None:
    try:
        return reader.header.guild_id if section == "guild" else reader.header.channel_id
    except ValueError as error:
        reader.fail_at_field(section, str(error))


def _start(guild_id: int, reader: ExportReader) -> Conversion:
    exported = _header_id(reader, "guild")
    if exported is not None and exported != guild_id:
        reader.fail_at_last_message(
            f"this is an export of guild {exported}, not of guild {guild_id}"
        )
    return Conversion(guild_id=guild_id, channel_id=_header_id(reader, "channel"))


def parse(path: str, guild_id: int, batch_rows: int = BATCH_ROWS) -> Iterator[Parsed]:
    """Batches of rows from one export, then `Finished`; raises `ExportFormatError`."""
    reader = ExportReader(path)
    conversion: Conversion | None = None
    for message in reader.messages():
        if conversion is None:
            conversion = _start(guild_id, reader)
        try:
            conversion.add(message)
        except BadMessage as error:
            reader.fail_at_last_message(str(error))
        except (ArithmeticError, LookupError, TypeError, ValueError, RecursionError) as error:
            # A shape the checks above missed: still this file's fault, still at this message.
            reader.fail_at_last_message(f"cannot read this message ({type(error).__name__})")
        if len(conversion.rows) >= batch_rows:
            yield Batch(conversion.rows, reader.bytes_read, reader.messages_read)
            conversion.rows = []
    yield Finished(conversion, reader.messages_read)


def _child(path: str, guild_id: int, out: Any, batch_rows: int) -> None:
    """The second process: parse and send every batch (or the error) to `out`."""
    try:
        for item in parse(path, guild_id, batch_rows):
            out.put(item)
    except ExportFormatError as error:
        out.put(("error", error.path, error.line, error.column, error.reason, error.message_index))
    except Exception as error:  # anything else still reaches the parent, as text
        out.put(("crash", f"{type(error).__name__}: {error}"))


def _next(out: Any, process: BaseProcess) -> Any:
    while True:
        try:
            return out.get(timeout=0.5)
        except queue.Empty:
            if not process.is_alive():
                return ("crash", f"the parser process stopped (exit code {process.exitcode})")


async def parse_in_process(path: str, guild_id: int) -> AsyncGenerator[Parsed, None]:
    """`parse` in this process (small files: no process start-up cost)."""
    for item in parse(path, guild_id):
        yield item
        await asyncio.sleep(0)


async def parse_in_child(path: str, guild_id: int) -> AsyncGenerator[Parsed, None]:
    """`parse` in a second process; errors are raised here as they would be in-process."""
    context = multiprocessing.get_context("spawn")
    out = context.Queue(maxsize=QUEUED_BATCHES)
    process = context.Process(
        target=_child, args=(path, guild_id, out, BATCH_ROWS), name="lyceum-import", daemon=True
    )
    process.start()
    loop = asyncio.get_running_loop()
    try:
        while True:
            item = await loop.run_in_executor(None, _next, out, process)
            if isinstance(item, tuple) and item[0] == "error":
                raise ExportFormatError(*item[1:])
            if isinstance(item, tuple):
                raise RuntimeError(f"importing {path} failed: {item[1]}")
            yield item
            if isinstance(item, Finished):
                return
    finally:
        if process.is_alive():
            process.terminate()
        await loop.run_in_executor(None, process.join, 5)
        out.close()
