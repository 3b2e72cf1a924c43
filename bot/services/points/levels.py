"""Levels: thresholds and names (Skool's curve by default), each with an optional role."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

SKOOL_THRESHOLDS = (0, 5, 20, 65, 155, 515, 2015, 8015, 33015)
DEFAULT_NAMES = (
    "Newcomer", "Contributor", "Helper", "Regular", "Mentor",
    "Expert", "Sage", "Master", "Legend",
)  # fmt: skip
MAX_LEVELS = 20
NAME_MAX = 40


@dataclass(frozen=True)
class Level:
    """One level: its number (0 = the first), name, points needed and role (0 = none)."""

    number: int
    name: str
    threshold: int
    role_id: int = 0

    def to_json(self) -> dict[str, Any]:
        """The level as stored."""
        return {"name": self.name, "threshold": self.threshold, "role_id": self.role_id}


@dataclass(frozen=True)
class Ladder:
    """A guild's levels, by threshold; the first starts at 0 points."""

    levels: tuple[Level, ...]

    @classmethod
    def default(cls) -> Ladder:
        """Skool's nine levels."""
        return cls.of(
            [(name, at, 0) for name, at in zip(DEFAULT_NAMES, SKOOL_THRESHOLDS, strict=True)]
        )

    @classmethod
    def of(cls, levels: Sequence[tuple[str, int, int]]) -> Ladder:
        """Levels from (name, threshold, role id), sorted and numbered; the first is at 0."""
        ordered = sorted(levels, key=lambda level: level[1])
        if not ordered or ordered[0][1] != 0:
            raise ValueError("the first level starts at 0 points")
        thresholds = [level[1] for level in ordered]
        if len(set(thresholds)) != len(thresholds):
            raise ValueError("two levels have the same threshold")
        return cls(tuple(Level(i, name, at, role) for i, (name, at, role) in enumerate(ordered)))

    @classmethod
    def from_json(cls, data: Sequence[Mapping[str, Any]] | None) -> Ladder:
        """Stored levels, or the default when there are none (or they are broken)."""
        try:
            return cls.of(
                [
                    (str(d["name"]), int(d["threshold"]), int(d.get("role_id", 0)))
                    for d in data or ()
                ]
            )
        except (KeyError, TypeError, ValueError):
            return cls.default()

    def to_json(self) -> list[dict[str, Any]]:
        """The levels as stored."""
        return [level.to_json() for level in self.levels]

    def level_for(self, points: int) -> Level:
        """The highest level whose threshold the points reach."""
        reached = self.levels[0]
        for level in self.levels:
            if points >= level.threshold:
                reached = level
        return reached

    def number(self, number: int | None) -> Level | None:
        """Level `number`, if the ladder has it."""
        if number is None or not 0 <= number < len(self.levels):
            return None
        return self.levels[number]

    def next_after(self, level: Level) -> Level | None:
        """The level after `level`, if any."""
        return self.number(level.number + 1)

    def role_ids(self) -> frozenset[int]:
        """Every level's role."""
        return frozenset(level.role_id for level in self.levels if level.role_id)
