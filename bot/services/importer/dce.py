"""Turning DiscordChatExporter messages into interaction rows.

- `Default` → `message`, `Reply` → `reply` (source_key `message:<id>`, as live capture);
- `GuildMemberJoin` → `join`; `ThreadCreated` → `thread_create` (source_key
  `thread:<thread id>`, as live capture);
- each listed reactor → `reaction` at the message's time (the export has no reaction
  time), source_key `reaction:<message id>:<user id>:<emoji>`;
- authors and reactors flagged `isBot` are skipped; other message types are ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeGuard

from bot.services.stats.spans import UNTIMED_KEY_PREFIX
from storage.stats.history import HistoryRow, ImportedMember

_KINDS = {"Default": "message", "Reply": "reply"}
_from_iso = datetime.fromisoformat
_SNOWFLAKE_MAX = 2**63 - 1
_UNSTORABLE = re.compile("[\x00-\x1f\x7f\ud800-\udfff]")
# Discord started in 2015; a time outside these years is not from a real export.
EARLIEST = datetime(2015, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)


class BadMessage(ValueError):
    """A message lacks a field the import needs, or has it in the wrong shape."""


def _shown(value: Any) -> str:
    if isinstance(value, dict | list):
        return f"a JSON {'object' if isinstance(value, dict) else 'array'}"
    if isinstance(value, int) and value.bit_length() > 64:
        return f"an integer of {value.bit_length()} bits"
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:37]}..."


def is_snowflake_text(value: Any) -> TypeGuard[str]:
    """True for ASCII digits of a 64-bit id ("²³".isdigit() is true, int() fails)."""
    if type(value) is not str or not value.isascii() or not value.isdigit():
        return False
    return len(value) < 19 or (len(value) == 19 and int(value) <= _SNOWFLAKE_MAX)


def _snowflake(value: Any, what: str) -> int:
    if type(value) is str and len(value) < 19 and value.isascii() and value.isdigit():
        return int(value)  # the common case, first
    if is_snowflake_text(value):
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= _SNOWFLAKE_MAX:
        return value
    raise BadMessage(f"{what} must be a numeric id, got {_shown(value)}")


def _in_range(moment: datetime, value: Any) -> datetime:
    try:
        utc = moment.astimezone(UTC) if moment.utcoffset() else moment
    except OverflowError:
        utc = None  # year 1 east of UTC, year 9999 west of it
    if utc is None or not EARLIEST <= utc < LATEST:
        raise BadMessage(f"timestamp {_shown(value)} is outside {EARLIEST.year}-{LATEST.year - 1}")
    return utc


def parse_timestamp(value: Any) -> datetime:
    """An ISO 8601 time with any UTC offset, as aware UTC (Discord's years only)."""
    if not isinstance(value, str):
        raise BadMessage(f"timestamp must be a string, got {_shown(value)}")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise BadMessage(f"timestamp {_shown(value)} is not an ISO 8601 time") from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise BadMessage(f"timestamp {_shown(value)} has no UTC offset")
    return _in_range(moment, value)


@dataclass
class Conversion:
    """Rows and member facts gathered from one export."""

    guild_id: int
    channel_id: int | None
    rows: list[HistoryRow] = field(default_factory=list)
    members: dict[int, ImportedMember] = field(default_factory=dict)
    skipped_bots: int = 0
    skipped_other: int = 0

    def _seen(self, user_id: int, at: datetime, *, joined: bool = False) -> None:
        known = self.members.get(user_id)
        if known is None:
            self.members[user_id] = ImportedMember(at, at if joined else None)
        elif at < known.first_seen or joined:
            last_join = known.last_join
            if joined and (last_join is None or at > last_join):
                last_join = at
            self.members[user_id] = ImportedMember(min(at, known.first_seen), last_join)

    def add(self, message: dict[str, Any]) -> None:
        """Convert one message (raises `BadMessage` when it is malformed)."""
        message_id = message.get("id")
        # Fast paths first (millions of messages): ASCII digits short of 19 fit in 63 bits.
        if not (
            type(message_id) is str
            and len(message_id) < 19
            and message_id.isascii()
            and message_id.isdigit()
        ):
            message_id = str(_snowflake(message_id, "id"))
        kind = message.get("type")
        if type(kind) is not str:
            raise BadMessage(f"type must be a string, got {_shown(kind)}")
        stamp = message.get("timestamp")
        try:
            at = _from_iso(stamp)  # type: ignore[arg-type]  # a non-string is caught below
        except (TypeError, ValueError):
            at = parse_timestamp(stamp)  # raises the precise complaint
        offset = at.utcoffset()
        if offset is None:
            raise BadMessage(f"timestamp {_shown(stamp)} has no UTC offset")
        if not EARLIEST.year < at.year < LATEST.year - 1:  # near the bounds: check exactly
            at = _in_range(at, stamp)
        elif offset:
            at = at.astimezone(UTC)
        author = message.get("author")
        if type(author) is not dict:
            raise BadMessage("author must be an object")
        user_id = author.get("id")
        if type(user_id) is str and len(user_id) < 19 and user_id.isascii() and user_id.isdigit():
            user_id = int(user_id)
        else:
            user_id = _snowflake(user_id, "author.id")
        if author.get("isBot") is True:
            self.skipped_bots += 1
        else:
            mapped = _KINDS.get(kind)
            if mapped is not None:
                key = "message:" + message_id
                self.rows.append(
                    HistoryRow(self.guild_id, user_id, mapped, self.channel_id, None, at, None, key)
                )
                known = self.members.get(user_id)
                if known is None or at < known.first_seen:
                    self._seen(user_id, at)
            else:
                self._add_other(message, message_id, kind, at, user_id)
        reactions = message.get("reactions")
        if reactions:
            self._add_reactions(reactions, message_id, at)

    def _add_other(
        self, message: dict[str, Any], message_id: str, kind: str, at: datetime, user_id: int
    ) -> None:
        channel = self.channel_id
        if kind == "GuildMemberJoin":
            key = f"message:{message_id}"
            self.rows.append(
                HistoryRow(self.guild_id, user_id, "join", channel, None, at, None, key)
            )
            self._seen(user_id, at, joined=True)
        elif kind == "ThreadCreated":
            reference = message.get("reference")
            thread = reference.get("channelId") if isinstance(reference, dict) else None
            thread_id = str(_snowflake(thread, "reference.channelId")) if thread else message_id
            key = f"thread:{thread_id}"
            row = HistoryRow(
                self.guild_id, user_id, "thread_create", channel, thread_id, at, None, key
            )
            self.rows.append(row)
            self._seen(user_id, at)
        else:
            self.skipped_other += 1

    def _add_reactions(self, reactions: Any, message_id: str, at: datetime) -> None:
        if not isinstance(reactions, list):
            raise BadMessage("reactions must be an array")
        for reaction in reactions:
            if not isinstance(reaction, dict):
                raise BadMessage("each reaction must be an object")
            emoji = reaction.get("emoji")
            emoji_key = ""
            if isinstance(emoji, dict):
                emoji_key = _emoji_key(emoji.get("id") or emoji.get("name") or "")
            for reactor in reaction.get("users") or ():
                if not isinstance(reactor, dict):
                    raise BadMessage("each reaction user must be an object")
                if reactor.get("isBot") is True:
                    continue
                user_id = _snowflake(reactor.get("id"), "reactions[].users[].id")
                # The message's time, not the reaction's: activity, never a first join.
                key = f"{UNTIMED_KEY_PREFIX}{message_id}:{user_id}:{emoji_key}"
                ref = message_id
                self.rows.append(
                    HistoryRow(
                        self.guild_id, user_id, "reaction", self.channel_id, ref, at, None, key
                    )
                )


def _emoji_key(value: Any) -> str:
    """An emoji's id or name as stored text: short, no control characters or lone surrogates."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= _SNOWFLAKE_MAX:
        return str(value)
    if isinstance(value, str) and len(value) <= 100 and not _UNSTORABLE.search(value):
        return value
    raise BadMessage(f"reaction emoji must be an id or a name, got {_shown(value)}")
