"""Subscriptions through the Stripe sandbox's signed webhooks: grants, failures, cancels."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from tests.services.billing.support import (
    BOT_TOP,
    GUILD,
    MANAGER,
    PRO_ROLE,
    Billing,
    buy,
    entitlement_of,
    eventually,
    harmless_role,
    interactions_of,
    send_event,
)

USER = 42
TEAM_ROLE = 333


async def test_checkout_gives_the_role_within_a_second(billing: Billing) -> None:
    billing.discord.join(USER)
    started = time.monotonic()
    await buy(billing, USER)
    await eventually(lambda: PRO_ROLE in billing.discord.roles_of(USER), within=1.0)
    assert time.monotonic() - started < 1.0
    row = await entitlement_of(billing.db, USER)
    assert row is not None and row.active and row.status == "active"
    assert row.price_amount == 1500 and row.price_interval == "month"
    assert row.current_period_end is not None


async def test_redelivered_webhooks_grant_the_role_once(billing: Billing) -> None:
    billing.discord.join(USER)
    outcome = await buy(billing, USER)
    await billing.settle()
    for event in outcome.events:
        for _ in range(5):
            billing.stripe.webhooks.redeliver(event["id"])
    await billing.settle()
    assert [kind for kind, *_ in billing.discord.calls] == ["add"]
    assert [row.kind for row in await interactions_of(billing.db, USER)] == ["paid_start"]
    assert all(count == 1 for count in billing.service.applier.applied.values())


async def test_deleted_before_updated_ends_canceled(billing: Billing) -> None:
    billing.discord.join(USER)
    outcome = await buy(billing, USER)
    await billing.settle()
    assert outcome.subscription_id is not None
    billing.stripe.webhooks.pause()
    billing.clock.advance(timedelta(minutes=1))
    await billing.stripe.cancel_at_period_end(outcome.subscription_id)
    billing.clock.advance(timedelta(minutes=1))
    await billing.stripe.cancel_now(outcome.subscription_id)
    billing.stripe.webhooks.resume(["customer.subscription.deleted"])
    await billing.settle()
    row = await entitlement_of(billing.db, USER)
    assert row is not None and not row.active and row.status == "canceled"
    assert PRO_ROLE not in billing.discord.roles_of(USER)


async def test_old_update_after_new_one_leaves_stripes_state(billing: Billing) -> None:
    billing.discord.join(USER)
    outcome = await buy(billing, USER)
    await billing.settle()
    assert outcome.subscription_id is not None
    billing.stripe.webhooks.pause()
    billing.clock.advance(timedelta(days=30))
    await billing.stripe.fail_payment(outcome.subscription_id)  # → past_due
    billing.clock.advance(timedelta(hours=1))
    await billing.stripe.recover(outcome.subscription_id)  # → active again
    billing.stripe.webhooks.resume("reverse")
    await billing.settle()
    stripe_status = billing.stripe.get(outcome.subscription_id)["status"]
    row = await entitlement_of(billing.db, USER)
    assert row is not None and row.status == stripe_status == "active" and row.active
    assert PRO_ROLE in billing.discord.roles_of(USER)


async def test_failed_payment_keeps_the_role_through_grace_then_revokes(billing: Billing) -> None:
    billing.discord.join(USER)
    outcome = await buy(billing, USER)
    await billing.settle()
    assert outcome.subscription_id is not None
    billing.clock.advance(timedelta(days=30))
    await billing.stripe.fail_payment(outcome.subscription_id)
    await billing.stripe.fail_payment(outcome.subscription_id)  # Stripe's retry fails too
    await billing.settle()
    row = await entitlement_of(billing.db, USER)
    assert row is not None and row.status == "past_due" and row.active
    assert row.grace_until == billing.clock.now() + timedelta(days=3)
    assert PRO_ROLE in billing.discord.roles_of(USER)
    await eventually(lambda: len(billing.discord.dms) >= 1)
    assert [user for user, _ in billing.discord.dms] == [USER]  # one DM, not one per retry

    billing.clock.advance(timedelta(days=3, minutes=1))
    assert await billing.service.run_due_checks() == 1
    await billing.service.outbox.run_once()
    row = await entitlement_of(billing.db, USER)
    assert row is not None and not row.active and row.status == "past_due"
    assert PRO_ROLE not in billing.discord.roles_of(USER)


async def test_cancel_at_period_end_keeps_access_until_the_period_ends(billing: Billing) -> None:
    billing.discord.join(USER)
    outcome = await buy(billing, USER)
    await billing.settle()
    assert outcome.subscription_id is not None
    await billing.stripe.cancel_at_period_end(outcome.subscription_id)
    await billing.settle()
    row = await entitlement_of(billing.db, USER)
    assert row is not None and row.active and row.cancel_at_period_end
    assert row.ends_at is not None and row.ends_at == row.current_period_end

    billing.clock.set(row.ends_at - timedelta(minutes=1))
    assert await billing.service.run_due_checks() == 0
    billing.clock.set(row.ends_at + timedelta(seconds=1))
    assert await billing.service.run_due_checks() == 1
    await billing.service.outbox.run_once()
    assert PRO_ROLE not in billing.discord.roles_of(USER)
    kinds = [(r.kind, r.at) for r in await interactions_of(billing.db, USER)]
    assert kinds[-1] == ("paid_end", row.ends_at)


async def test_paid_start_interaction_carries_the_price(billing: Billing) -> None:
    billing.discord.join(USER)
    await buy(billing, USER)
    await billing.settle()
    [start] = await interactions_of(billing.db, USER)
    assert start.kind == "paid_start" and start.ref == "pro"
    assert start.meta == {"source": "stripe", "amount": 1500, "currency": "usd",
                          "interval": "month", "interval_count": 1}  # fmt: skip


async def test_trial_gives_the_role(billing: Billing) -> None:
    billing.discord.join(USER)
    await buy(billing, USER, trial_days=7)
    await billing.settle()
    row = await entitlement_of(billing.db, USER)
    assert row is not None and row.status == "trialing" and row.active
    assert PRO_ROLE in billing.discord.roles_of(USER)


async def test_stripe_down_during_a_reread_is_retried_until_applied(billing: Billing) -> None:
    billing.discord.join(USER)
    billing.stripe.inject_error("GET", "/v1/subscriptions/", status=500, times=3)
    await buy(billing, USER)
    await billing.settle()
    await eventually(lambda: PRO_ROLE in billing.discord.roles_of(USER))
    row = await entitlement_of(billing.db, USER)
    assert row is not None and row.active


def with_price(subscription: dict[str, Any], price_id: str, amount: int, interval: str) -> None:
    """Change the subscription's price, as a plan change in the portal does."""
    item = subscription["items"]["data"][0]
    recurring = {**item["price"]["recurring"], "interval": interval}
    item["price"] = {**item["price"], "id": price_id, "unit_amount": amount,
                     "recurring": recurring}  # fmt: skip


async def test_price_change_of_an_active_subscription_starts_a_new_paid_span(
    billing: Billing,
) -> None:
    billing.discord.join(USER)
    bought = billing.clock.now()
    outcome = await buy(billing, USER)
    await billing.settle()
    assert outcome.subscription_id is not None
    changed = billing.clock.advance(timedelta(days=3))
    subscription = billing.stripe.get(outcome.subscription_id)
    with_price(subscription, "price_pro_yearly", 15000, "year")  # no tier sells it: still pro
    await send_event(billing, "customer.subscription.updated", subscription)
    await billing.settle()
    rows = await interactions_of(billing.db, USER)
    metas = [r.meta or {} for r in rows]
    assert [
        (r.kind, r.ref, r.at, m.get("amount"), m.get("interval"))
        for r, m in zip(rows, metas, strict=True)
    ] == [
        ("paid_start", "pro", bought, 1500, "month"),
        ("paid_start", "pro", changed, 15000, "year"),
    ]


async def upgrade_to_team(billing: Billing, subscription_id: str) -> None:
    """A `team` tier exists and the member switches to its price in the portal."""
    await billing.service.set_tier(GUILD, MANAGER, "team", name="Team", price_id="price_team",
                                   role=harmless_role(TEAM_ROLE), bot_top_position=BOT_TOP,
                                   kind="subscription")  # fmt: skip
    billing.clock.advance(timedelta(days=3))
    subscription = billing.stripe.get(subscription_id)  # metadata still says tier=pro
    with_price(subscription, "price_team", 2500, "month")
    await send_event(billing, "customer.subscription.updated", subscription)
    await billing.settle()


async def test_plan_change_to_another_tiers_price_moves_the_member_to_that_tier(
    billing: Billing,
) -> None:
    billing.discord.join(USER)
    outcome = await buy(billing, USER)
    await billing.settle()
    assert outcome.subscription_id is not None
    await upgrade_to_team(billing, outcome.subscription_id)
    pro, team = (
        await entitlement_of(billing.db, USER),
        await entitlement_of(billing.db, USER, "team"),
    )
    assert pro is not None and not pro.active and pro.status == "switched"
    assert (
        team is not None and team.active and team.stripe_subscription_id == outcome.subscription_id
    )
    assert billing.discord.roles_of(USER) == {TEAM_ROLE}
    kinds = [(r.kind, r.ref) for r in await interactions_of(billing.db, USER)]
    assert kinds == [("paid_start", "pro"), ("paid_end", "pro"), ("paid_start", "team")]


async def test_late_events_of_a_replaced_subscription_leave_the_new_one_in_charge(
    billing: Billing,
) -> None:
    billing.discord.join(USER)
    bought = billing.clock.now()
    first = await buy(billing, USER)
    await billing.settle()
    assert first.subscription_id is not None
    active_then = billing.stripe.get(first.subscription_id)
    billing.clock.advance(timedelta(days=1))
    await billing.stripe.cancel_now(first.subscription_id)
    await billing.settle()
    billing.clock.advance(timedelta(days=1))
    second = await buy(billing, USER)  # the member subscribes again
    await billing.settle()
    # Stripe retries an old event of the first subscription, then its deletion.
    await send_event(billing, "customer.subscription.updated", active_then, created=bought)
    await send_event(billing, "customer.subscription.deleted",
                     billing.stripe.get(first.subscription_id))  # fmt: skip
    await billing.settle()
    row = await entitlement_of(billing.db, USER)
    assert row is not None and row.active and row.stripe_subscription_id == second.subscription_id
    assert PRO_ROLE in billing.discord.roles_of(USER)
