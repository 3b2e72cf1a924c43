"""Reading config tables, and the guild sections features declare for themselves.

A feature with per-guild settings declares a `GuildSection`: its `[guilds.<name>]` table
is read by the feature's own `parse`, and its problems join the one list the loader
reports (so `lyceum check-config` shows every problem of every feature at once).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")
_SHOWN_CHARS = 60


def shown(value: Any) -> str:
    """A value for a problem message: short, whatever its size."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 64:
        return f"an integer of {len(str(value))} digits"
    if isinstance(value, list | dict):
        return f"a {'list' if isinstance(value, list) else 'table'} of {len(value)} item(s)"
    text = repr(value)
    return text if len(text) <= _SHOWN_CHARS else f"{text[: _SHOWN_CHARS - 3]}..."


class TableReader:
    """Reads typed values out of a TOML table, collecting every problem."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems

    def table(self, data: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
        """The sub-table `key` (empty when absent or not a table; the latter is a problem)."""
        value = data.get(key, {})
        if not isinstance(value, dict):
            self.problems.append(f"{where}: must be a table, got {type(value).__name__}")
            return {}
        return value

    def value(
        self,
        data: Mapping[str, Any],
        key: str,
        where: str,
        kind: type[T],
        default: T,
        check: Callable[[T], str | None] | None = None,
    ) -> T:
        """`data[key]` when it has the type and passes `check`; else the default (and a problem)."""
        if key not in data:
            return default
        value = data[key]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            self.problems.append(
                f"{where}.{key}: must be {kind.__name__}, got {type(value).__name__} {shown(value)}"
            )
            return default
        problem = check(value) if check else None
        if problem:
            self.problems.append(f"{where}.{key}: {problem}")
            return default
        return value

    def unknown_keys(self, data: Mapping[str, Any], known: set[str], where: str) -> None:
        """A problem for each key that is not in `known`."""
        for key in sorted(set(data) - known):
            self.problems.append(f"{where}.{key}: unknown key (typo?)")


@dataclass(frozen=True)
class GuildSection(Generic[T]):
    """A feature's `[guilds.<name>]` table: how to read it, and what it is when absent."""

    name: str
    parse: Callable[[TableReader, Mapping[str, Any], str], T]  # (reader, table, where)
    default: Callable[[], T]
