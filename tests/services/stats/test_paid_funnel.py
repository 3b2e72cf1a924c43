"""Paid members, MRR, conversion and the onboarding funnel."""

from __future__ import annotations

from datetime import timedelta

from storage.database import Database
from tests.services.stats.community import Community, at, stats_service

WEEK = "2026-W45"
LATER = at(3)


async def test_paying_new_and_churned_come_from_paid_events(db: Database) -> None:
    community = Community()
    community.paid_start(1, at(-3)).paid_start(2, at(-3))  # paying before the week
    community.paid_end(2, at(0, 2))  # churned
    community.paid_start(3, at(0, 3))  # new
    community.paid_start(4, at(0, 1)).paid_end(4, at(0, 4))  # new, then churned
    await community.write(db)

    paid = (await stats_service(db, LATER).weekly_report(1, WEEK)).paid

    assert (paid.paying_start, paid.paying, paid.new, paid.churned) == (2, 2, 2, 2)


async def test_mrr_normalises_intervals_to_a_month(db: Database) -> None:
    community = Community()
    community.paid_start(1, at(-1), amount=1000, interval="month")  # 10.00
    community.paid_start(2, at(-1), amount=12000, interval="year")  # 10.00
    community.paid_start(3, at(-1), amount=3000, interval="month", interval_count=3)  # 10.00
    community.paid_start(4, at(-1), amount=500, interval="week")  # 5 * 52 / 12
    await community.write(db)

    paid = (await stats_service(db, LATER).weekly_report(1, WEEK)).paid

    assert paid.mrr.keys() == {"eur"}
    assert abs(paid.mrr["eur"] - (30 + 5 * 52 / 12)) < 1e-9


async def test_one_time_purchase_is_paying_but_adds_no_mrr(db: Database) -> None:
    await Community().paid_start(1, at(-1), amount=9900, interval=None).write(db)

    paid = (await stats_service(db, LATER).weekly_report(1, WEEK)).paid

    assert paid.paying == 1
    assert paid.mrr == {"eur": 0.0}


async def test_switching_tiers_at_one_instant_is_neither_new_nor_churned(db: Database) -> None:
    community = Community().paid_start(1, at(-1), tier="pro")
    community.paid_end(1, at(0, 2), tier="pro").paid_start(1, at(0, 2), tier="team", amount=5000)
    await community.write(db)

    paid = (await stats_service(db, LATER).weekly_report(1, WEEK)).paid

    assert (paid.paying, paid.new, paid.churned) == (1, 0, 0)
    assert paid.mrr == {"eur": 50.0}


async def test_a_manual_grant_ending_leaves_the_stripe_subscription_of_the_tier_paying(
    db: Database,
) -> None:
    community = Community().paid_start(1, at(-3), source="manual", amount=None, interval=None)
    community.paid_start(1, at(-2), amount=1000)  # then Stripe, same tier
    community.paid_end(1, at(0, 2), source="manual")  # the moderator's grant is revoked
    await community.write(db)

    paid = (await stats_service(db, LATER).weekly_report(1, WEEK)).paid

    assert (paid.paying, paid.new, paid.churned) == (1, 0, 0)
    assert paid.mrr == {"eur": 10.0}


async def test_two_sources_of_one_tier_starting_at_one_instant_count_once(db: Database) -> None:
    community = Community().paid_start(1, at(-1), source="manual", amount=None, interval=None)
    community.paid_start(1, at(-1), amount=1000)
    await community.write(db)

    paid = (await stats_service(db, LATER).weekly_report(1, WEEK)).paid

    assert (paid.paying, paid.mrr) == (1, {"eur": 10.0})


async def test_mrr_keeps_currencies_apart(db: Database) -> None:
    community = Community().paid_start(1, at(-1), amount=1000, currency="EUR")
    community.paid_start(2, at(-1), amount=2000, currency="usd")
    community.paid_start(3, at(-1), amount=1500, currency="jpy")
    await community.write(db)

    paid = (await stats_service(db, LATER).weekly_report(1, WEEK)).paid

    assert paid.mrr == {"eur": 10.0, "usd": 20.0, "jpy": 1500.0}


async def test_conversion_counts_joiners_of_60_to_30_days_ago_paying_within_30_days(
    db: Database,
) -> None:
    # The week ends 2026-11-09; the cohort first joined in [2026-09-10, 2026-10-10).
    cohort_start = at(1) - timedelta(days=60)
    community = Community()
    community.join(1, cohort_start).paid_start(1, cohort_start + timedelta(days=29))
    community.join(2, cohort_start + timedelta(days=5))
    community.paid_start(2, cohort_start + timedelta(days=36))  # 31 days after: too late
    community.join(3, cohort_start + timedelta(days=10))
    community.join(4, cohort_start - timedelta(days=1)).paid_start(4, cohort_start)  # not in it
    await community.write(db)

    paid = (await stats_service(db, LATER).weekly_report(1, WEEK)).paid

    assert paid.conversion_cohort == 3
    assert paid.conversion_30d == 1 / 3


async def test_funnel_steps_are_subsets_of_the_step_before(db: Database) -> None:
    community = Community()
    for user in range(1, 11):
        community.join(user, at(0, 1))
    for user in range(1, 7):
        community.member(user, at(0, 1), onboarded=at(0, 1, minute=5))
    community.log(7, "onboarded", at(0, 2))
    for user in (1, 2, 3, 9):  # 9 is active without onboarding: not in the funnel's step
        community.message(user, at(0, 3))
    community.paid_start(1, at(0, 4)).paid_start(9, at(0, 4))
    community.join(11, at(-1)).member(11, at(-1), onboarded=at(-1))  # joined earlier
    await community.write(db)

    funnel = (await stats_service(db, LATER).weekly_report(1, WEEK)).funnel

    assert (funnel.joined, funnel.onboarded, funnel.active, funnel.paid) == (10, 7, 3, 1)
    assert funnel.rates() == {"onboarded_rate": 0.7, "active_rate": 3 / 7, "paid_rate": 1 / 3}
