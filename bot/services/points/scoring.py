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
from dataclasses import dataclass
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


@dataclass(slots=True)
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


class State:
    """The part of a guild's ledger a batch needs (or one member's whole ledger)."""

    __slots__ = ("causes", "day_answers", "day_points")

    def __init__(self) -> None:
        self.causes: dict[Key, CauseState] = {}
        self.day_points: defaultdict[tuple[int, date], int] = defaultdict(int)
        self.day_answers: defaultdict[tuple[int, date], int] = defaultdict(int)

    @classmethod
    def of(cls, rules: Rules, entries: Iterable[StoredEntry]) -> State:
        """The state the stored entries (in ledger order) leave behind."""
        state = cls()
        for e in entries:
            state.fold(rules, e.user_id, e.rule, e.cause, e.kind, e.delta, e.day, e.ref)
        return state

    def cause(self, key: Key) -> CauseState:
        """The state of one cause (empty when it has no entry)."""
        found = self.causes.get(key)
        if found is None:
            found = self.causes[key] = CauseState()
        return found

    def fold(
        self,
        rules: Rules,
        user_id: int,
        rule: str,
        cause_name: str,
        kind: str,
        delta: int,
        day: date,
        ref: int,
    ) -> None:
        """Take one entry into the state."""
        cause = self.cause((user_id, rule, cause_name))
        was_paying = cause.net > 0
        cause.entries += 1
        cause.net += delta
        if kind == "award":
            cause.standing, cause.day, cause.ref = True, day, ref
        elif kind == "reverse":
            cause.standing = False
        if kind != "adjust" and rules.capped(rule):
            self.day_points[(user_id, day)] += delta
        if rule == ANSWER_POSTED and cause.day is not None:
            self.day_answers[(user_id, cause.day)] += (cause.net > 0) - was_paying


class Scorer:
    """Applies awards and reversals to a state under one set of rules."""

    def __init__(self, rules: Rules, state: State | None = None) -> None:
        self.rules = rules
        self.state = state or State()

    def apply(self, op: Op) -> NewEntry | None:
        """The entry `op` adds, or None when it changes nothing (a replay, say)."""
        if isinstance(op, Award):
            added = self.award(op.user_id, op.rule, op.cause, op.day, op.ref)
            kind, day, ref = "award", op.day, op.ref
        else:
            cause = self.state.causes.get((op.user_id, op.rule, op.cause))
            day = cause.day if cause is not None and cause.day is not None else date.min
            ref = cause.ref if cause is not None else 0
            added = self.reverse(op.user_id, op.rule, op.cause, op.only_ref)
            kind = "reverse"
        if added is None:
            return None
        seq, delta = added
        return NewEntry(op.user_id, op.rule, op.cause, seq, kind, delta, day, ref)

    def award(
        self, user_id: int, rule: str, cause_name: str, day: date, ref: int = 0
    ) -> tuple[int, int] | None:
        """Pay for a cause unless its award stands: (seq, points), or None."""
        cause = self.state.cause((user_id, rule, cause_name))
        if cause.standing:
            return None
        seq, worth = cause.entries, self._worth(user_id, rule, day)
        self.state.fold(self.rules, user_id, rule, cause_name, "award", worth, day, ref)
        return seq, worth

    def reverse(
        self, user_id: int, rule: str, cause_name: str, only_ref: int = 0
    ) -> tuple[int, int] | None:
        """Take back a standing award: (seq, -points), or None when none stands."""
        cause = self.state.causes.get((user_id, rule, cause_name))
        if cause is None or not cause.standing or cause.day is None:
            return None
        if only_ref and cause.ref != only_ref:
            return None
        seq, delta = cause.entries, -cause.net
        self.state.fold(
            self.rules, user_id, rule, cause_name, "reverse", delta, cause.day, cause.ref
        )
        return seq, delta

    def _worth(self, user_id: int, rule: str, day: date) -> int:
        rules = self.rules
        worth = rules.weight(rule)
        if worth <= 0:
            return 0
        if not rules.capped(rule):
            return worth
        key = (user_id, day)
        if rule == ANSWER_POSTED and self.state.day_answers[key] >= rules.answer_daily_max:
            return 0
        return max(0, min(worth, rules.daily_cap - self.state.day_points[key]))
