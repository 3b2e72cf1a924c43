"""Property: a re-score leaves every cause worth what live scoring would have paid had the
new rules always applied (the inlined replay equals the scorer)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.services.points.rescore import replay_member
from bot.services.points.rules import (
    ANSWER_ACCEPTED,
    ANSWER_POSTED,
    DROP_STREAK,
    ONBOARDED,
    QUESTION_SOLVED,
    Rules,
)
from bot.services.points.scoring import Award, Op, Reverse, Scorer

USER = 7
MON = date(2026, 11, 23)
RULE = st.sampled_from([ANSWER_ACCEPTED, ANSWER_POSTED, QUESTION_SOLVED, ONBOARDED, DROP_STREAK])
OP = st.builds(
    lambda award, rule, n, day: (
        Award(USER, rule, f"c:{n}", MON + timedelta(days=day), 100 + n)
        if award
        else Reverse(USER, rule, f"c:{n}")
    ),
    st.booleans(),
    RULE,
    st.integers(0, 6),
    st.integers(0, 2),
)
RULES = st.builds(
    Rules,
    answer_accepted=st.integers(0, 20),
    answer_posted=st.integers(0, 5),
    question_solved=st.integers(0, 3),
    onboarded=st.integers(0, 8),
    drop_streak=st.integers(0, 4),
    answer_daily_max=st.integers(0, 4),
    daily_cap=st.integers(0, 12),
)


Row = tuple[int, str, str, str, int, date, int]


def live(rules: Rules, ops: list[Op]) -> list[Row]:
    """The ledger rows live scoring writes for these ops under these rules."""
    scorer, rows = Scorer(rules), list[Row]()
    for op in ops:
        entry = scorer.apply(op)
        if entry is not None:
            row = (USER, entry.rule, entry.cause, entry.kind, entry.delta, entry.day, len(rows))
            rows.append(row)
    return rows


def nets(rows: list[Row]) -> dict[tuple[str, str], int]:
    sums: defaultdict[tuple[str, str], int] = defaultdict(int)
    for _, rule, cause, _, delta, _, _ in rows:
        sums[(rule, cause)] += delta
    return {key: n for key, n in sums.items() if n}


@settings(max_examples=300, deadline=None)
@given(ops=st.lists(OP, max_size=30), before=RULES, after=RULES)
def test_a_rescore_gives_what_the_new_rules_would_have_paid(
    ops: list[Op], before: Rules, after: Rules
) -> None:
    ledger = live(before, ops)

    fixes = replay_member(after, USER, ledger)
    corrected = ledger + [(USER, f.rule, f.cause, f.kind, f.delta, f.day, 0) for f in fixes]

    assert nets(corrected) == nets(live(after, ops))


def test_rescoring_to_the_same_rules_changes_nothing() -> None:
    ops: list[Op] = [Award(USER, ANSWER_POSTED, f"c:{n}", MON) for n in range(15)]

    assert replay_member(Rules(), USER, live(Rules(), ops)) == []
