"""Disputes that overtake their subscription's events, and disputes that close."""

from __future__ import annotations

from datetime import timedelta

import pytest

from storage.billing import queries
from tests.services.billing.support import (
    GUILD,
    LIFETIME_ROLE,
    MOD,
    PRO_ROLE,
    Billing,
    buy,
    entitlement_of,
    eventually,
)

USER = 4242


async def _dispute_before_the_subscription_events(billing: Billing) -> str:
    """The member subscribes and disputes; Stripe delivers the dispute first."""
    billing.discord.join(USER)
    billing.stripe.webhooks.pause()
    outcome = await buy(billing, USER, "pro")
    assert outcome.charge_id is not None
    disputed = await billing.stripe.dispute(outcome.charge_id)
    billing.stripe.webhooks.release("charge.dispute.created")
    await billing.settle()
    billing.stripe.webhooks.resume()
    await billing.settle()
    assert disputed.dispute_id is not None
    return disputed.dispute_id


async def test_dispute_arriving_before_its_subscription_events_keeps_the_tier_away(
    billing: Billing,
) -> None:
    await _dispute_before_the_subscription_events(billing)
    row = await entitlement_of(billing.db, USER, "pro")
    assert row is not None and not row.active and row.status == "disputed"
    assert PRO_ROLE not in billing.discord.roles_of(USER)


async def test_resync_respects_a_dispute_that_came_before_the_subscription(
    billing: Billing,
) -> None:
    await _dispute_before_the_subscription_events(billing)
    await billing.service.resync(GUILD, MOD)
    await billing.service.outbox.run_once()
    row = await entitlement_of(billing.db, USER, "pro")
    assert row is not None and not row.active and row.status == "disputed"
    assert PRO_ROLE not in billing.discord.roles_of(USER)


async def test_dispute_is_remembered_with_the_subscription_it_paid_for(billing: Billing) -> None:
    dispute_id = await _dispute_before_the_subscription_events(billing)
    async with billing.db.read() as session:
        record = await queries.dispute(session, dispute_id)
    row = await entitlement_of(billing.db, USER, "pro")
    assert record is not None and row is not None
    assert record.subscription_id == row.stripe_subscription_id is not None
    assert record.status == "needs_response" and record.closed_at is None


async def test_won_dispute_gives_the_subscription_back(billing: Billing) -> None:
    dispute_id = await _dispute_before_the_subscription_events(billing)
    billing.clock.advance(timedelta(days=20))
    await billing.stripe.close_dispute(dispute_id, status="won")
    await billing.settle()
    row = await entitlement_of(billing.db, USER, "pro")
    assert row is not None and row.active and row.status == "active"
    assert PRO_ROLE in billing.discord.roles_of(USER)
    await eventually(lambda: any("won" in text for _, text in billing.discord.posts))


async def test_lost_dispute_keeps_access_away_and_tells_moderators(billing: Billing) -> None:
    dispute_id = await _dispute_before_the_subscription_events(billing)
    await billing.stripe.close_dispute(dispute_id, status="lost")
    await billing.settle()
    await billing.service.resync(GUILD, MOD)
    row = await entitlement_of(billing.db, USER, "pro")
    assert row is not None and not row.active and row.status == "disputed"
    await eventually(lambda: any("lost" in text for _, text in billing.discord.posts))


async def test_won_dispute_gives_a_one_time_purchase_back(billing: Billing) -> None:
    billing.discord.join(USER)
    outcome = await buy(billing, USER, "lifetime")
    await billing.settle()
    assert outcome.charge_id is not None
    disputed = await billing.stripe.dispute(outcome.charge_id)
    await billing.settle()
    assert disputed.dispute_id is not None
    await billing.stripe.close_dispute(disputed.dispute_id, status="won")
    await billing.settle()
    row = await entitlement_of(billing.db, USER, "lifetime")
    assert row is not None and row.active and LIFETIME_ROLE in billing.discord.roles_of(USER)


async def test_dispute_closed_before_it_was_heard_to_open_takes_nothing(billing: Billing) -> None:
    billing.discord.join(USER)
    outcome = await buy(billing, USER, "pro")
    await billing.settle()
    assert outcome.charge_id is not None
    billing.stripe.webhooks.pause()
    disputed = await billing.stripe.dispute(outcome.charge_id)
    assert disputed.dispute_id is not None
    await billing.stripe.close_dispute(disputed.dispute_id, status="won")
    billing.stripe.webhooks.resume("reverse")
    await billing.settle()
    row = await entitlement_of(billing.db, USER, "pro")
    assert row is not None and row.active and PRO_ROLE in billing.discord.roles_of(USER)


async def test_resync_counts_the_past_due_grace_from_the_failed_invoice(billing: Billing) -> None:
    billing.discord.join(USER)
    outcome = await buy(billing, USER, "pro")
    await billing.settle()
    assert outcome.subscription_id is not None
    billing.clock.advance(timedelta(days=30))
    with billing.stripe.silent():
        await billing.stripe.fail_payment(outcome.subscription_id)
    failed_at = billing.clock.now()
    billing.clock.advance(timedelta(days=5))
    await billing.service.resync(GUILD, MOD)
    await billing.service.outbox.run_once()
    row = await entitlement_of(billing.db, USER, "pro")
    assert row is not None and row.status == "past_due" and row.grace_until is not None
    assert abs(row.grace_until - (failed_at + timedelta(days=3))) < timedelta(minutes=5)
    assert not row.active and PRO_ROLE not in billing.discord.roles_of(USER)


@pytest.mark.parametrize("seed", range(6))
async def test_dispute_holds_whatever_order_the_events_arrive_in(
    billing: Billing, seed: int
) -> None:
    billing.discord.join(USER)
    billing.stripe.webhooks.pause()
    outcome = await buy(billing, USER, "pro")
    assert outcome.charge_id is not None
    await billing.stripe.dispute(outcome.charge_id)
    billing.stripe.webhooks.resume("shuffle", seed=seed)
    await billing.settle()
    await billing.service.resync(GUILD, MOD)
    await billing.service.outbox.run_once()
    row = await entitlement_of(billing.db, USER, "pro")
    assert row is not None and not row.active and row.status == "disputed"
    assert PRO_ROLE not in billing.discord.roles_of(USER)
