"""The points rules of a guild: weights and caps (Stack Overflow's and Skool's numbers by
default), read from `[guilds.points]` and stored per guild once applied."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from functools import cached_property
from typing import Any

from bot.core.text import t

ANSWER_ACCEPTED = "answer_accepted"
ANSWER_POSTED = "answer_posted"
QUESTION_SOLVED = "question_solved"
ONBOARDED = "onboarded"
DROP_STREAK = "drop_streak"
ADJUST = "adjust"

# The rules a weight can be given to, in the order they are shown.
RULES = (ANSWER_ACCEPTED, ANSWER_POSTED, QUESTION_SOLVED, ONBOARDED, DROP_STREAK)
EXEMPT_FROM_CAP = frozenset({ANSWER_ACCEPTED})  # Stack Overflow's exemption
_CAPPED = frozenset(RULES) - EXEMPT_FROM_CAP
MAX_WEIGHT = 1000
MAX_CAP = 100_000


def rule_name(rule: str) -> str:
    """What a rule is called where people read it."""
    names = {
        ANSWER_ACCEPTED: t("Answer accepted"),
        ANSWER_POSTED: t("Answered a question"),
        QUESTION_SOLVED: t("Question solved"),
        ONBOARDED: t("Joined the community"),
        DROP_STREAK: t("Drop streak"),
        ADJUST: t("Moderator adjustment"),
    }
    return names.get(rule, rule)


@dataclass(frozen=True)
class Rules:
    """Weights per rule and the caps; every number is checked when set."""

    answer_accepted: int = 15
    answer_posted: int = 2
    question_solved: int = 1
    onboarded: int = 5
    drop_streak: int = 3
    answer_daily_max: int = 10  # answers paid per day
    daily_cap: int = 200  # points per day from capped rules
    streak_days: int = 5  # different days with a drop opened, in one week

    @cached_property
    def weights(self) -> dict[str, int]:
        """Rule -> the points one award is worth."""
        return {rule: int(getattr(self, rule)) for rule in RULES}

    @property
    def capped_rules(self) -> frozenset[str]:
        """The rules whose awards count toward the daily cap."""
        return _CAPPED

    def weight(self, rule: str) -> int:
        """The points one award of `rule` is worth."""
        return self.weights.get(rule, 0)

    def capped(self, rule: str) -> bool:
        """True when the rule's awards count toward the daily cap."""
        return rule in _CAPPED

    def to_json(self) -> dict[str, int]:
        """The rules as stored."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> Rules:
        """Stored rules (unknown or bad keys fall back to the defaults)."""
        known = {f.name for f in fields(cls)}
        good = {
            k: v
            for k, v in (data or {}).items()
            if k in known and isinstance(v, int) and not isinstance(v, bool)
        }
        return cls(**good)

    def changed(self, **values: int) -> Rules:
        """These rules with some numbers changed (each checked)."""
        for key, value in values.items():
            problem = check_number(key, value)
            if problem:
                raise ValueError(problem)
        return replace(self, **values)

    def differences(self, other: Rules) -> dict[str, tuple[int, int]]:
        """Each number that differs: name -> (this, other)."""
        mine, theirs = self.to_json(), other.to_json()
        return {k: (mine[k], theirs[k]) for k in mine if mine[k] != theirs[k]}


def check_number(key: str, value: int) -> str | None:
    """Why `value` cannot be the rule number `key`; None when it can."""
    if key in RULES:
        return None if 0 <= value <= MAX_WEIGHT else f"a weight is 0 to {MAX_WEIGHT}"
    if key in ("answer_daily_max", "daily_cap"):
        return None if 0 <= value <= MAX_CAP else f"a cap is 0 to {MAX_CAP}"
    if key == "streak_days":
        return None if 1 <= value <= 7 else "streak days are 1 to 7"
    return f"unknown rule number {key}"
