"""The scoring engine: turns awards and reversals into ledger entries under a guild's rules.

One pure function of the ledger's state, used twice: live, on the state loaded for a batch
of events, and by a re-score, replaying every award and reversal from an empty state
under new rules. So a re-score gives exactly what live scoring would have given had the
new rules always applied.

State, per member: each cause's entries (how many, their sum, whether the award stands,
its day and answer message), and per local day the points from capped rules and the
number of paid answers. A reversal belongs to its award's day.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from bot.services.points.rules import ANSWER_POSTED, Rules

Key = tuple[int, str, str]  # (user id, rule, cause)


@dataclass(frozen=True)
class Award:
    """Something happened that a rule pays for (once per cause while it stands)."""

    user_id: int
    rule: str
    cause: str
    day: date
    ref: int = 0


@dataclass(frozen=True)
class Reverse:
    """What an award paid is taken back (only while it stands; `only_ref` when set must be
    the answer message the award was for)."""

    user_id: int
    rule: str
    cause: str
    only_ref: int = 0


Op = Award | Reverse


@dataclass(frozen=True)
class NewEntry:
    """A ledger entry to append."""

    user_id: int
    rule: str
    cause: str
    seq: int
    kind: str  # award | reverse
    delta: int
    day: date
    ref: int = 0


@dataclass
class CauseState:
    """Everything the ledger holds for one (user, rule, cause)."""

    entries: int = 0
    net: int = 0
    standing: bool = False
    day: date | None = None
    ref: int = 0


@dataclass(frozen=True)
class StoredEntry:
    """An entry already in the ledger, as the engine reads it."""

    user_id: int
    rule: str
    cause: str
    kind: str
    delta: int
    day: date
    ref: int = 0


@dataclass
class State:
    """The part of a guild's ledger a batch needs."""

    causes: defaultdict[Key, CauseState] = field(default_factory=lambda: defaultdict(CauseState))
    day_points: defaultdict[tuple[int, date], int] = field(default_factory=lambda: defaultdict(int))
    day_answers: defaultdict[tuple[int, date], int] = field(
        default_factory=lambda: defaultdict(int)
    )

    @classmethod
    def of(cls, rules: Rules, entries: Iterable[StoredEntry]) -> State:
        """The state the stored entries (in ledger order) leave behind."""
        state = cls()
        for entry in entries:
            state.fold(rules, entry)
        return state

    def fold(self, rules: Rules, entry: StoredEntry) -> None:
        """Take one stored entry into the state."""
        key = (entry.user_id, entry.rule, entry.cause)
        cause = self.causes[key]
        was_paying = cause.net > 0
        cause.entries += 1
        cause.net += entry.delta
        if entry.kind == "award":
            cause.standing, cause.day, cause.ref = True, entry.day, entry.ref
        elif entry.kind == "reverse":
            cause.standing = False
        if entry.kind != "adjust" and rules.capped(entry.rule):
            self.day_points[(entry.user_id, entry.day)] += entry.delta
        if entry.rule == ANSWER_POSTED and cause.day is not None:
            self.day_answers[(entry.user_id, cause.day)] += (cause.net > 0) - was_paying


class Scorer:
    """Applies awards and reversals to a state under one set of rules."""

    def __init__(self, rules: Rules, state: State | None = None) -> None:
        self.rules = rules
        self.state = state or State()

    def apply(self, op: Op) -> NewEntry | None:
        """The entry `op` adds, or None when it changes nothing (a replay, say)."""
        if isinstance(op, Award):
            return self._award(op)
        return self._reverse(op)

    def _award(self, op: Award) -> NewEntry | None:
        cause = self.state.causes[(op.user_id, op.rule, op.cause)]
        if cause.standing:
            return None
        entry = NewEntry(
            op.user_id, op.rule, op.cause, cause.entries, "award", self._worth(op), op.day, op.ref
        )
        self._record(entry)
        return entry

    def _worth(self, op: Award) -> int:
        worth = self.rules.weight(op.rule)
        day = (op.user_id, op.day)
        if worth <= 0:
            return 0
        if op.rule == ANSWER_POSTED and self.state.day_answers[day] >= self.rules.answer_daily_max:
            return 0
        if self.rules.capped(op.rule):
            worth = max(0, min(worth, self.rules.daily_cap - self.state.day_points[day]))
        return worth

    def _reverse(self, op: Reverse) -> NewEntry | None:
        key = (op.user_id, op.rule, op.cause)
        cause = self.state.causes.get(key)
        if cause is None or not cause.standing or cause.day is None:
            return None
        if op.only_ref and cause.ref != op.only_ref:
            return None
        entry = NewEntry(
            op.user_id, op.rule, op.cause, cause.entries, "reverse", -cause.net, cause.day,
            cause.ref,
        )  # fmt: skip
        self._record(entry)
        return entry

    def _record(self, entry: NewEntry) -> None:
        self.state.fold(
            self.rules,
            StoredEntry(
                entry.user_id, entry.rule, entry.cause, entry.kind, entry.delta, entry.day,
                entry.ref,
            ),
        )  # fmt: skip
