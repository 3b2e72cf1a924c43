"""Drops' own `[guilds.drops]` table (config.example.toml documents each key)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.settings import GuildSection, TableReader


@dataclass(frozen=True)
class DropsSettings:
    """How drops behave in one guild."""

    grace_minutes: int = 60  # a drop due while the bot was down posts late within this
    author_role_id: int = 0  # members with this role may /content submit (0: nobody)
    max_attempts: int = 5  # posting tries before the moderators are told
    retry_base_s: float = 30.0  # first back-off; doubles each try
    reminder_minutes: int = 15  # live sessions: remind those interested this much before
    session_minutes: int = 60  # live sessions: how long one lasts (event end, attendance)


def _positive(value: int | float) -> str | None:
    return None if value > 0 else "must be more than 0"


def _parse(read: TableReader, table: Mapping[str, Any], where: str) -> DropsSettings:
    read.unknown_keys(table, set(DropsSettings.__dataclass_fields__), where)
    default = DropsSettings()
    return DropsSettings(
        grace_minutes=read.value(table, "grace_minutes", where, int, default.grace_minutes,
                                 lambda v: None if v >= 0 else "must be 0 or more"),
        author_role_id=read.value(table, "author_role_id", where, int, 0),
        max_attempts=read.value(table, "max_attempts", where, int, default.max_attempts,
                                _positive),
        retry_base_s=read.value(table, "retry_base_s", where, float, default.retry_base_s,
                                _positive),
        reminder_minutes=read.value(table, "reminder_minutes", where, int,
                                    default.reminder_minutes, _positive),
        session_minutes=read.value(table, "session_minutes", where, int,
                                   default.session_minutes, _positive),
    )  # fmt: skip


DROPS_SECTION = GuildSection("drops", _parse, DropsSettings)
