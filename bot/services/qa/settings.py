"""Q&A's per-guild settings: the `[guilds.qa]` table of config.toml (docs/qa.md).

The Q&A channel itself is the guild's `qa_channel_id`. Everything here has a default, so a
guild with no `[guilds.qa]` table gets Q&A with the forum's own tags and the usual timers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.settings import GuildSection, TableReader

_KEYS = {
    "tags",
    "solved_tag",
    "helpers_role_id",
    "helper_roles",
    "unanswered_ping_hours",
    "answered_nudge_hours",
    "inactive_close_days",
    "marks_per_hour",
    "rerank",
}


@dataclass(frozen=True)
class QaSettings:
    """How one guild runs Q&A."""

    # Tags offered by /ask in a text channel (a forum offers its own tags).
    tags: tuple[str, ...] = ()
    # The forum tag applied when a question is solved (a text channel's thread gets a ✅).
    solved_tag: str = "solved"
    # Pinged when a question waits for an answer, unless its tag names its own role.
    helpers_role_id: int = 0
    helper_roles: Mapping[str, int] = field(default_factory=dict)
    unanswered_ping_hours: int = 12
    answered_nudge_hours: int = 24
    inactive_close_days: int = 7
    # "Mark as answer" uses per hour for members who are not moderators.
    marks_per_hour: int = 5
    # Re-rank duplicate candidates with wordllama (offline; measured better, docs/qa.md).
    rerank: bool = True

    def helper_role_for(self, tags: tuple[str, ...] | list[str]) -> int:
        """The role to ping for a question with these tags (0: nobody)."""
        for tag in tags:
            if self.helper_roles.get(tag):
                return self.helper_roles[tag]
        return self.helpers_role_id


def _positive(value: int) -> str | None:
    return None if value > 0 else "must be at least 1"


def _parse(read: TableReader, table: Mapping[str, Any], where: str) -> QaSettings:
    read.unknown_keys(table, _KEYS, where)
    tags = read.value(table, "tags", where, list, [])
    if not all(isinstance(tag, str) and 0 < len(tag) <= 20 for tag in tags):
        read.problems.append(f"{where}.tags: must be short strings (1 to 20 characters)")
        tags = []
    roles = read.table(table, "helper_roles", f"{where}.helper_roles")
    helper_roles: dict[str, int] = {}
    for tag, role_id in roles.items():
        if isinstance(role_id, int) and not isinstance(role_id, bool) and role_id >= 0:
            helper_roles[str(tag)] = role_id
        else:
            read.problems.append(f"{where}.helper_roles.{tag}: must be a role id")
    return QaSettings(
        tags=tuple(tags),
        solved_tag=read.value(table, "solved_tag", where, str, "solved"),
        helpers_role_id=read.value(table, "helpers_role_id", where, int, 0),
        helper_roles=helper_roles,
        unanswered_ping_hours=read.value(table, "unanswered_ping_hours", where, int, 12, _positive),
        answered_nudge_hours=read.value(table, "answered_nudge_hours", where, int, 24, _positive),
        inactive_close_days=read.value(table, "inactive_close_days", where, int, 7, _positive),
        marks_per_hour=read.value(table, "marks_per_hour", where, int, 5, _positive),
        rerank=read.value(table, "rerank", where, bool, True),
    )


QA_SETTINGS = GuildSection("qa", _parse, QaSettings)
