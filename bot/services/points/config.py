"""The `[guilds.points]` config table: proposed rules (applied with /points rescore once the
guild has scores) and the levels (thresholds, names, roles)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from bot.services.points.levels import MAX_LEVELS, NAME_MAX, Ladder
from bot.services.points.rules import Rules, check_number
from bot.settings import GuildSection, TableReader

_LEVEL_KEYS = {"name", "threshold", "role_id"}


@dataclass(frozen=True)
class PointsConfig:
    """A guild's points settings as configured."""

    rules: Rules = field(default_factory=Rules)
    ladder: Ladder = field(default_factory=Ladder.default)
    levels_configured: bool = False


def _check(key: str) -> Any:
    def check(value: int) -> str | None:
        return check_number(key, value)

    return check


def parse_points(read: TableReader, table: Mapping[str, Any], where: str) -> PointsConfig:
    """Read `[guilds.points]`: the rule numbers and an optional `levels` list."""
    numbers = [f.name for f in fields(Rules)]
    read.unknown_keys(table, {*numbers, "levels"}, where)
    defaults = Rules()
    rules = Rules(
        **{
            name: read.value(table, name, where, int, getattr(defaults, name), _check(name))
            for name in numbers
        }
    )
    raw = table.get("levels")
    if raw is None:
        return PointsConfig(rules)
    ladder = _levels(read, raw, f"{where}.levels")
    return PointsConfig(rules, ladder or Ladder.default(), ladder is not None)


def _levels(read: TableReader, raw: Any, where: str) -> Ladder | None:
    if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_LEVELS:
        read.problems.append(f"{where}: must be a list of 1 to {MAX_LEVELS} tables")
        return None
    levels: list[tuple[str, int, int]] = []
    for i, item in enumerate(raw):
        at = f"{where}[{i}]"
        if not isinstance(item, dict):
            read.problems.append(f"{at}: must be a table")
            continue
        read.unknown_keys(item, _LEVEL_KEYS, at)
        name = read.value(item, "name", at, str, "", _name_problem)
        threshold = read.value(item, "threshold", at, int, -1, _threshold_problem)
        role_id = read.value(item, "role_id", at, int, 0)
        if name and threshold >= 0:
            levels.append((name, threshold, role_id))
    try:
        return Ladder.of(levels) if len(levels) == len(raw) else None
    except ValueError as error:
        read.problems.append(f"{where}: {error}")
        return None


def _name_problem(value: str) -> str | None:
    return (
        None
        if 1 <= len(value.strip()) <= NAME_MAX
        else f"a level name is 1 to {NAME_MAX} characters"
    )


def _threshold_problem(value: int) -> str | None:
    return None if 0 <= value <= 10**9 else "a threshold is 0 to 1000000000"


POINTS_SECTION = GuildSection("points", parse_points, PointsConfig)
