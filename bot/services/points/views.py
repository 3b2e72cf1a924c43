"""What the points service answers with: plain values the cogs render."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.services.points.levels import Ladder, Level

PERIODS = ("week", "month", "all")


@dataclass(frozen=True)
class HistoryLine:
    """One ledger entry, explained: its rule and its cause."""

    entry_id: int
    at: datetime
    day: date
    rule: str
    cause: str
    kind: str  # award | reverse | rescore | adjust
    delta: int
    actor_id: int
    note: str


@dataclass(frozen=True)
class PointsView:
    """A member's own points: balances, level and the latest entries."""

    user_id: int
    all_time: int
    week: int
    month: int
    level: Level
    next_level: Level | None
    hidden: bool
    lines: tuple[HistoryLine, ...]
    total_lines: int


@dataclass(frozen=True)
class BoardRow:
    """One place on a board (hidden members show as anonymous)."""

    rank: int
    user_id: int
    points: int
    hidden: bool


@dataclass(frozen=True)
class BoardView:
    """A period's board and the caller's own place."""

    period: str  # week | month | all
    label: str  # w2026-48, m2026-11, all
    rows: tuple[BoardRow, ...]
    own: BoardRow | None  # None when the caller has no points in the period


@dataclass(frozen=True)
class Mover:
    """A member whose points a re-score changes."""

    user_id: int
    before: int
    after: int

    @property
    def change(self) -> int:
        """Points gained (negative: lost)."""
        return self.after - self.before


@dataclass(frozen=True)
class RescoreView:
    """What a re-score would do (a preview) or did (applied)."""

    rescore_id: int
    changes: dict[str, tuple[int, int]]  # rule number -> (now, proposed)
    members: int  # members whose points change
    gained: int  # points gained in total
    lost: int  # points lost in total (positive)
    top: tuple[Mover, ...]
    applied: bool


@dataclass(frozen=True)
class LevelsSaved:
    """A level changed by a moderator: the new ladder and how many members moved."""

    ladder: Ladder
    members_moved: int
