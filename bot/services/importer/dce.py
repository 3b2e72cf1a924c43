"""Turning DiscordChatExporter messages into interaction rows.

- `Default` → `message`, `Reply` → `reply` (source_key `message:<id>`, as live capture);
- `GuildMemberJoin` → `join`; `ThreadCreated` → `thread_create` (source_key
  `thread:<thread id>`, as live capture);
- each listed reactor → `reaction` at the message's time (the export has no reaction
  time), source_key `reaction:<message id>:<user id>:<emoji>`;
- authors and reactors flagged `isBot` are skipped; other message types are ignored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bot.services.stats.spans import UNTIMED_KEY_PREFIX
from storage.stats.history import ImportedMember, ImportRow

_KINDS = {"Default": "message", "Reply": "reply"}
_from_iso = datetime.fromisoformat


class BadMessage(ValueError):
    """A message lacks a field the import needs, or has it in the wrong shape."""


def _snowflake(value: Any, what: str) -> int:
    if type(value) is str and value.isdigit():
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    raise BadMessage(f"{what} must be a numeric id, got {value!r}")


def parse_timestamp(value: Any) -> datetime:
    """An ISO 8601 time with any UTC offset, as aware UTC."""
    if not isinstance(value, str):
        raise BadMessage(f"timestamp must be a string, got {value!r}")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise BadMessage(f"timestamp {value!r} is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        raise BadMessage(f"timestamp {value!r} has no UTC offset")
    return moment.astimezone(UTC)


@dataclass
class Conversion:
    """Rows and member facts gathered from one export."""

    guild_id: int
    channel_id: int | None
    rows: list[ImportRow] = field(default_factory=list)
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
        if type(message_id) is not str or not message_id.isdigit():
            message_id = str(_snowflake(message_id, "id"))
        kind = message.get("type")
        if type(kind) is not str:
            raise BadMessage(f"type must be a string, got {kind!r}")
        stamp = message.get("timestamp")
        try:
            at = _from_iso(stamp)  # type: ignore[arg-type]  # a non-string is caught below
        except (TypeError, ValueError):
            at = parse_timestamp(stamp)  # raises the precise complaint
        offset = at.utcoffset()
        if offset is None:
            raise BadMessage(f"timestamp {stamp!r} has no UTC offset")
        if offset:
            at = at.astimezone(UTC)
        author = message.get("author")
        if type(author) is not dict:
            raise BadMessage("author must be an object")
        user_id = author.get("id")
        user_id = (
            int(user_id)
            if type(user_id) is str and user_id.isdigit()
            else _snowflake(user_id, "author.id")
        )
        if author.get("isBot") is True:
            self.skipped_bots += 1
        else:
            mapped = _KINDS.get(kind)
            if mapped is not None:
                key = "message:" + message_id
                self.rows.append(
                    (self.guild_id, user_id, mapped, self.channel_id, None, at, None, key)
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
            self.rows.append((self.guild_id, user_id, "join", channel, None, at, None, key))
            self._seen(user_id, at, joined=True)
        elif kind == "ThreadCreated":
            reference = message.get("reference")
            thread = reference.get("channelId") if isinstance(reference, dict) else None
            thread_id = str(_snowflake(thread, "reference.channelId")) if thread else message_id
            key = f"thread:{thread_id}"
            row = (self.guild_id, user_id, "thread_create", channel, thread_id, at, None, key)
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
                emoji_key = str(emoji.get("id") or emoji.get("name") or "")
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
                    (self.guild_id, user_id, "reaction", self.channel_id, ref, at, None, key)
                )
