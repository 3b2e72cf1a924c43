"""One-time purchases, refunds and disputes."""

from __future__ import annotations

from tests.services.billing.support import (
    GUILD,
    LIFETIME_ROLE,
    MOD_LOG,
    PRO_ROLE,
    Billing,
    buy,
    entitlement_of,
    eventually,
    send_event,
)

USER = 77


async def test_one_time_purchase_gives_the_role(billing: Billing) -> None:
    billing.discord.join(USER)
    await buy(billing, USER, "lifetime")
    await billing.settle()
    row = await entitlement_of(billing.db, USER, "lifetime")
    assert row is not None and row.active and row.status == "active"
    assert row.price_amount == 9900 and row.price_interval is None
    assert row.stripe_customer_id is not None  # so /billing works for one-time buyers
    assert LIFETIME_ROLE in billing.discord.roles_of(USER)


async def test_full_refund_of_a_one_time_purchase_revokes(billing: Billing) -> None:
    billing.discord.join(USER)
    outcome = await buy(billing, USER, "lifetime")
    await billing.settle()
    assert outcome.charge_id is not None
    await billing.stripe.refund(outcome.charge_id)
    await billing.settle()
    row = await entitlement_of(billing.db, USER, "lifetime")
    assert row is not None and not row.active and row.status == "refunded"
    assert LIFETIME_ROLE not in billing.discord.roles_of(USER)


async def test_partial_refund_keeps_access(billing: Billing) -> None:
    billing.discord.join(USER)
    outcome = await buy(billing, USER, "lifetime")
    await billing.settle()
    assert outcome.charge_id is not None
    await billing.stripe.refund(outcome.charge_id, amount=1000)
    await billing.settle()
    row = await entitlement_of(billing.db, USER, "lifetime")
    assert row is not None and row.active


async def test_refund_arriving_before_the_checkout_grants_nothing(billing: Billing) -> None:
    billing.discord.join(USER)
    billing.stripe.webhooks.pause()
    outcome = await buy(billing, USER, "lifetime")
    assert outcome.charge_id is not None
    await billing.stripe.refund(outcome.charge_id)
    billing.stripe.webhooks.resume(["charge.refunded"])
    await billing.settle()
    row = await entitlement_of(billing.db, USER, "lifetime")
    assert row is not None and not row.active and row.status == "refunded"
    assert LIFETIME_ROLE not in billing.discord.roles_of(USER)


async def test_dispute_revokes_and_alerts_moderators(billing: Billing) -> None:
    billing.discord.join(USER)
    outcome = await buy(billing, USER, "lifetime")
    await billing.settle()
    assert outcome.charge_id is not None
    await billing.stripe.dispute(outcome.charge_id)
    await billing.settle()
    row = await entitlement_of(billing.db, USER, "lifetime")
    assert row is not None and not row.active and row.status == "disputed"
    assert LIFETIME_ROLE not in billing.discord.roles_of(USER)
    await eventually(lambda: billing.discord.posts)
    [(channel, text)] = billing.discord.posts
    assert channel == MOD_LOG and f"<@{USER}>" in text and "disputed" in text


async def test_dispute_of_a_subscription_payment_revokes_it(billing: Billing) -> None:
    billing.discord.join(USER)
    outcome = await buy(billing, USER, "pro")
    await billing.settle()
    assert outcome.charge_id is not None
    await billing.stripe.dispute(outcome.charge_id)
    await billing.settle()
    row = await entitlement_of(billing.db, USER, "pro")
    assert row is not None and not row.active and row.status == "disputed"
    assert PRO_ROLE not in billing.discord.roles_of(USER)


async def test_disputed_subscription_is_not_regranted_by_its_renewal(billing: Billing) -> None:
    billing.discord.join(USER)
    outcome = await buy(billing, USER, "pro")
    await billing.settle()
    assert outcome.charge_id is not None and outcome.subscription_id is not None
    await billing.stripe.dispute(outcome.charge_id)
    await billing.settle()
    await billing.stripe.renew(outcome.subscription_id)
    await billing.settle()
    row = await entitlement_of(billing.db, USER, "pro")
    assert row is not None and not row.active and row.status == "disputed"


async def test_async_payment_grants_only_once_it_settles(billing: Billing) -> None:
    billing.discord.join(USER)
    link = await billing.service.checkout_link(GUILD, USER, "lifetime")
    session_id = link.url.rsplit("/", 1)[-1]
    await billing.stripe.pay(session_id, async_payment=True)
    await billing.settle()
    assert await entitlement_of(billing.db, USER, "lifetime") is None
    await billing.stripe.settle_async_payment(session_id)
    await billing.settle()
    row = await entitlement_of(billing.db, USER, "lifetime")
    assert row is not None and row.active


async def test_one_time_purchase_with_a_full_discount_gives_the_role(billing: Billing) -> None:
    billing.discord.join(USER)
    link = await billing.service.checkout_link(GUILD, USER, "lifetime")
    session = billing.stripe.get(link.url.rstrip("/").rsplit("/", 1)[-1])
    session.update(status="complete", payment_status="no_payment_required", amount_total=0,
                   payment_intent=None)  # a 100% promotion code: nothing to charge  # fmt: skip
    await send_event(billing, "checkout.session.completed", session)
    await billing.settle()
    row = await entitlement_of(billing.db, USER, "lifetime")
    assert row is not None and row.active and row.price_amount == 0
    assert LIFETIME_ROLE in billing.discord.roles_of(USER)
