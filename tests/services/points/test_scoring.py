"""The scoring engine on hand-computed fixtures: caps, exemptions, reversals, replays."""

from __future__ import annotations

from datetime import date

from bot.services.points.rules import ANSWER_ACCEPTED, ANSWER_POSTED, ONBOARDED, Rules
from bot.services.points.scoring import Award, Reverse, Scorer

MON = date(2026, 11, 23)
TUE = date(2026, 11, 24)
ALICE = 1


def deltas(scorer: Scorer, *ops: Award | Reverse) -> list[int | None]:
    return [None if (e := scorer.apply(op)) is None else e.delta for op in ops]


def answer(n: int, day: date = MON, ref: int = 0) -> Award:
    return Award(ALICE, ANSWER_POSTED, f"question:{n}", day, ref or 1000 + n)


def accepted(n: int, day: date = MON) -> Award:
    return Award(ALICE, ANSWER_ACCEPTED, f"answer:{n}", day)


def test_answers_pay_two_points_up_to_ten_a_day() -> None:
    scorer = Scorer(Rules())

    paid = deltas(scorer, *(answer(n) for n in range(12)))

    assert paid == [2] * 10 + [0, 0]


def test_the_answer_limit_starts_again_the_next_day() -> None:
    scorer = Scorer(Rules())
    deltas(scorer, *(answer(n) for n in range(10)))

    assert deltas(scorer, answer(99, TUE)) == [2]


def test_the_daily_cap_clips_the_award_that_crosses_it() -> None:
    scorer = Scorer(Rules(onboarded=199))

    assert deltas(scorer, Award(ALICE, ONBOARDED, "member:1", MON), answer(1), answer(2)) == [
        199,
        1,
        0,
    ]


def test_accepted_answers_are_exempt_from_the_daily_cap() -> None:
    scorer = Scorer(Rules(daily_cap=4))
    deltas(scorer, answer(1), answer(2))

    assert deltas(scorer, accepted(1), accepted(2)) == [15, 15]
    assert deltas(scorer, answer(3)) == [0]


def test_a_replayed_award_adds_nothing() -> None:
    scorer = Scorer(Rules())

    assert deltas(scorer, accepted(1), accepted(1)) == [15, None]


def test_a_reversal_takes_back_exactly_what_was_paid() -> None:
    scorer = Scorer(Rules(daily_cap=3))
    deltas(scorer, answer(1), answer(2))  # 2, then 1 (capped)

    reversed_ = scorer.apply(Reverse(ALICE, ANSWER_POSTED, "question:2"))

    assert reversed_ is not None and reversed_.delta == -1 and reversed_.kind == "reverse"


def test_a_reversal_frees_room_under_that_days_cap() -> None:
    scorer = Scorer(Rules(daily_cap=4))
    deltas(scorer, answer(1), answer(2))
    scorer.apply(Reverse(ALICE, ANSWER_POSTED, "question:1"))

    assert deltas(scorer, answer(3)) == [2]


def test_reversing_twice_or_without_an_award_adds_nothing() -> None:
    scorer = Scorer(Rules())
    deltas(scorer, accepted(1))

    first = Reverse(ALICE, ANSWER_ACCEPTED, "answer:1")
    assert deltas(scorer, first, first, Reverse(ALICE, ANSWER_ACCEPTED, "answer:2")) == [
        -15,
        None,
        None,
    ]


def test_an_answer_reversal_names_its_message() -> None:
    scorer = Scorer(Rules())
    deltas(scorer, answer(1, ref=555))

    other = Reverse(ALICE, ANSWER_POSTED, "question:1", only_ref=777)
    same = Reverse(ALICE, ANSWER_POSTED, "question:1", only_ref=555)
    assert deltas(scorer, other, same) == [None, -2]


def test_an_award_taken_back_can_be_earned_again() -> None:
    scorer = Scorer(Rules())
    deltas(scorer, accepted(1), Reverse(ALICE, ANSWER_ACCEPTED, "answer:1"))

    again = scorer.apply(accepted(1, TUE))

    assert again is not None and again.delta == 15 and again.seq == 2


def test_a_reversal_counts_on_its_awards_day() -> None:
    scorer = Scorer(Rules())
    deltas(scorer, answer(1, MON))

    undo = scorer.apply(Reverse(ALICE, ANSWER_POSTED, "question:1"))

    assert undo is not None and undo.day == MON


def test_a_weight_of_zero_pays_nothing_and_uses_no_answer_slot() -> None:
    scorer = Scorer(Rules(answer_posted=0, answer_daily_max=1))

    assert deltas(scorer, answer(1), answer(2)) == [0, 0]
