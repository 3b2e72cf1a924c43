"""A streaming reader for one DiscordChatExporter JSON export.

The file is one object whose `messages` array may hold millions of messages. It is
read in chunks; each message object is decoded by the standard library's C decoder
(`raw_decode`), so memory stays at a chunk plus one message, whatever the file size.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, NoReturn

CHUNK_BYTES = 1 << 20
# A single value larger than this is treated as malformed rather than read on and on.
MAX_VALUE_CHARS = 64 << 20
_WHITESPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()
_SEPARATOR = re.compile(r"[ \t\n\r]*,[ \t\n\r]*")
_DELIMITERS = frozenset(" \t\n\r,]}")


class ExportFormatError(ValueError):
    """The export is not valid DiscordChatExporter JSON; says where and why."""

    def __init__(
        self, path: str, line: int, column: int, reason: str, message_index: int | None = None
    ) -> None:
        where = f"{path}:{line}:{column}"
        which = f" (message #{message_index + 1})" if message_index is not None else ""
        super().__init__(f"{where}: {reason}{which}")
        self.path, self.line, self.column = path, line, column
        self.reason, self.message_index = reason, message_index


@dataclass
class ExportHeader:
    """The top-level fields read before the messages (guild, channel...)."""

    fields: dict[str, Any] = field(default_factory=dict)
    # Where each field's value starts in the file: (line, column).
    positions: dict[str, tuple[int, int]] = field(default_factory=dict)

    def _id(self, section: str) -> int | None:
        """`section.id` as a number; ValueError when it is there but not a Discord id."""
        value = self.fields.get(section)
        raw = value.get("id") if isinstance(value, dict) else None
        if raw is None:
            return None
        if isinstance(raw, str) and 0 < len(raw) <= 19 and raw.isascii() and raw.isdigit():
            number = int(raw)
            if number < 2**63:
                return number
        shown = repr(raw) if isinstance(raw, str | int) and len(repr(raw)) <= 40 else "that"
        raise ValueError(f"the export's {section}.id must be a numeric id, got {shown}")

    @property
    def guild_id(self) -> int | None:
        """The exported guild's id, when the export names one."""
        return self._id("guild")

    @property
    def channel_id(self) -> int | None:
        """The exported channel's (or thread's) id."""
        return self._id("channel")


class ExportReader:
    """Iterates over the messages of one export without loading the file."""

    def __init__(self, path: str | Path, *, chunk_bytes: int = CHUNK_BYTES) -> None:
        self.path = str(path)
        self.header = ExportHeader()
        self.bytes_read = 0
        self.messages_read = 0
        self._chunk_bytes = chunk_bytes
        self._decoder = codecs.getincrementaldecoder("utf-8-sig")(errors="strict")
        self._file: BinaryIO | None = None
        self._text = ""
        self._pos = 0
        self._eof = False
        self._lines_before = 0  # newlines in the text already dropped
        self._column_base = 0  # characters since the last dropped newline
        self._message_start = 0  # where the last message began, in the buffer

    @property
    def size(self) -> int:
        """The file's size in bytes."""
        return Path(self.path).stat().st_size

    def messages(self) -> Iterator[dict[str, Any]]:
        """Each message object in file order; raises `ExportFormatError` where the file breaks."""
        with open(self.path, "rb") as self._file:
            self._expect("{", "the export must be a JSON object")
            if self._peek() == "}":
                self._pos += 1
            else:
                yield from self._members()
            if self._peek() != "":
                self._fail(self._pos, "unexpected data after the export's closing brace")
        if "messages" not in self.header.fields:
            self._fail(self._pos, "the export has no `messages` array")

    def _members(self) -> Iterator[dict[str, Any]]:
        while True:
            key = self._decode("a field name")
            if not isinstance(key, str):
                self._fail(self._pos, "expected a field name in quotes")
            self._expect(":", "expected ':' after a field name")
            if key == "messages":
                self.header.fields["messages"] = True
                yield from self._message_array()
            else:
                self._peek()
                self.header.positions[key] = self._where(self._pos)
                self.header.fields[key] = self._decode(f"the value of {key!r}")
            if self._expect(",}", "expected ',' or '}' between fields") == "}":
                return

    def _message_array(self) -> Iterator[dict[str, Any]]:
        self._expect("[", "`messages` must be an array")
        if self._peek() == "]":
            self._pos += 1
            return
        while True:
            self._message_start = self._pos
            try:  # the common case: the whole message is in the buffer
                message, self._pos = _DECODER.raw_decode(self._text, self._pos)
            except json.JSONDecodeError:
                message = self._decode("a message")
            except RecursionError:
                self._too_deep(self._message_start, self.messages_read)
            if not isinstance(message, dict):
                self._fail(
                    self._message_start, "a message must be a JSON object", self.messages_read
                )
            self.messages_read += 1
            yield message
            separator = _SEPARATOR.match(self._text, self._pos)
            if separator and separator.end() < len(self._text):
                self._pos = separator.end()
                continue
            after = self.messages_read - 1
            if self._expect(",]", "expected ',' or ']' after a message", after) == "]":
                return
            self._peek()

    def fail_at_last_message(self, reason: str) -> NoReturn:
        """Raise `ExportFormatError` at the start of the message just yielded."""
        self._fail(self._message_start, reason, self.messages_read - 1)

    def fail_at_field(self, key: str, reason: str) -> NoReturn:
        """Raise `ExportFormatError` where the top-level field `key` begins."""
        line, column = self.header.positions.get(key, (1, 1))
        raise ExportFormatError(self.path, line, column, reason)

    # -- the buffer ------------------------------------------------------------------

    def _fill(self) -> bool:
        if self._eof or self._file is None:
            return False
        raw = self._file.read(self._chunk_bytes)
        self.bytes_read += len(raw)
        try:
            more = self._decoder.decode(raw, final=not raw)
        except UnicodeDecodeError as error:
            self._fail(
                len(self._text), f"not UTF-8 text near byte {self.bytes_read}: {error.reason}"
            )
        if not raw:
            self._eof = True
        if not more:
            return bool(raw)  # nothing to add: keep positions in the buffer valid
        dropped = self._text[: self._pos]
        newlines = dropped.count("\n")
        if newlines:
            self._lines_before += newlines
            self._column_base = len(dropped) - dropped.rfind("\n") - 1
        else:
            self._column_base += len(dropped)
        self._text = self._text[self._pos :] + more
        self._message_start = max(0, self._message_start - self._pos)
        self._pos = 0
        return True

    def _peek(self) -> str:
        while True:
            self._pos = _WHITESPACE.match(self._text, self._pos).end()  # type: ignore[union-attr]
            if self._pos < len(self._text):
                return self._text[self._pos]
            if not self._fill():
                return ""

    def _expect(self, allowed: str, reason: str, message_index: int | None = None) -> str:
        char = self._peek()
        if char == "" or char not in allowed:
            found = "the end of the file" if char == "" else repr(char)
            self._fail(self._pos, f"{reason}, found {found}", message_index)
        self._pos += 1
        return char

    def _decode(self, what: str) -> Any:
        self._peek()
        while True:
            try:
                value, end = _DECODER.raw_decode(self._text, self._pos)
            except RecursionError:
                self._too_deep(self._pos, self.messages_read if what == "a message" else None)
            except json.JSONDecodeError as error:
                if self._maybe_cut_short(error) and self._fill():
                    continue
                index = self.messages_read if what == "a message" else None
                self._fail(error.pos, f"invalid JSON in {what}: {error.msg}", index)
            # A number or literal near the buffer's end may continue in the next chunk.
            cut = not isinstance(value, dict | list | str) and len(self._text) - end < 32
            if cut and self._text[end : end + 1] not in _DELIMITERS and self._fill():
                continue
            self._pos = end
            return value

    def _maybe_cut_short(self, error: json.JSONDecodeError) -> bool:
        if self._eof or len(self._text) - self._pos > MAX_VALUE_CHARS:
            return False
        return len(self._text) - error.pos <= 16 or error.msg.startswith("Unterminated string")

    def _too_deep(self, pos: int, message_index: int | None) -> NoReturn:
        self._fail(pos, "a value is nested too deeply to be an export", message_index)

    def _where(self, pos: int) -> tuple[int, int]:
        before = self._text[:pos]
        newlines = before.count("\n")
        line = self._lines_before + newlines + 1
        column = pos - before.rfind("\n") if newlines else self._column_base + pos + 1
        return line, column

    def _fail(self, pos: int, reason: str, message_index: int | None = None) -> NoReturn:
        line, column = self._where(pos)
        raise ExportFormatError(self.path, line, column, reason, message_index)
