"""One member's history replayed under new rules: the re-score's unit of work.

A preview keeps every member's replay (`Replay`) with what it read of the ledger (how
many entries, the last id). The apply then replays again only the members whose entries
changed since (new awards, an erasure): the ledger is append-only, so a member whose
count and last id are the same has the same history, and the same corrections.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from bot.services.points.rules import ADJUST, ANSWER_POSTED, Rules
from bot.services.points.scoring import NewEntry


@dataclass(frozen=True, slots=True)
class MemberReplay:
    """What replaying one member gave: the ledger read (entries, last id), their all-time
    points before, and the corrections to append."""

    entries: int
    last_id: int
    before: int
    after: int
    fixes: tuple[NewEntry, ...]


@dataclass(frozen=True)
class Replay:
    """A previewed re-score's work, kept (in memory) for its apply."""

    rescore_id: int
    rules: Rules
    members: dict[int, MemberReplay]


@lru_cache(maxsize=4096)
def _day(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def replay_rows(rules: Rules, user_id: int, rows: Sequence[Any]) -> MemberReplay:
    """Replay one member's rows: (user_id, rule, cause, kind, delta, day, id), in id order."""
    totals = [0]
    fixes = tuple(replay_member(rules, user_id, rows, totals))
    before = totals[0]
    return MemberReplay(
        entries=len(rows),
        last_id=int(rows[-1][6]) if rows else 0,
        before=before,
        after=before + sum(f.delta for f in fixes),
        fixes=fixes,
    )


def replay_member(
    rules: Rules, user_id: int, rows: Sequence[Any], totals: list[int] | None = None
) -> list[NewEntry]:
    """The corrections that make one member's causes worth what `rules` give them.
    Rows: (user_id, rule, cause, kind, delta, day, id), in ledger order.

    The scorer's rules (`scoring.py`), inlined for a member's whole history: a full
    re-score replays millions of entries. `test_rescore.py` holds the two equal. The sum
    of every row's delta is added to `totals[0]` when given."""
    weights, capped = rules.weights, rules.capped_rules
    cap, answers_max = rules.daily_cap, rules.answer_daily_max
    day_points: dict[Any, int] = {}
    day_answers: dict[Any, int] = {}
    # (rule, cause) -> [entries, net now, net replayed, standing, day]
    causes: dict[tuple[str, str], list[Any]] = {}
    total = 0
    for _, rule, cause, kind, delta, day, _ in rows:
        total += delta
        if rule == ADJUST:
            continue
        held = causes.get((rule, cause))
        if held is None:
            held = causes[(rule, cause)] = [0, 0, 0, False, None]
        held[0] += 1
        held[1] += delta
        if kind == "award" and not held[3]:
            worth = weights.get(rule, 0)
            in_cap = rule in capped
            if worth <= 0:
                worth = 0
            elif in_cap:
                if rule == ANSWER_POSTED and day_answers.get(day, 0) >= answers_max:
                    worth = 0
                else:
                    worth = max(0, min(worth, cap - day_points.get(day, 0)))
            held[2], held[3], held[4] = worth, True, day
            if in_cap:
                day_points[day] = day_points.get(day, 0) + worth
            if rule == ANSWER_POSTED and worth > 0:
                day_answers[day] = day_answers.get(day, 0) + 1
        elif kind == "reverse" and held[3]:
            paid, held[2], held[3] = held[2], 0, False
            if rule in capped:
                day_points[held[4]] -= paid
            if rule == ANSWER_POSTED and paid > 0:
                day_answers[held[4]] -= 1
    if totals is not None:
        totals[0] += total
    fixes = []
    for (rule, cause), (entries, net, worth, standing, day) in causes.items():
        if standing and worth != net:  # a correction's ref is unused: the award keeps it
            fixes.append(NewEntry(user_id, rule, cause, entries, "rescore", worth - net, _day(day)))
    return fixes
