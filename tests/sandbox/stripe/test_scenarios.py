"""Scenario controls change state and send the events Stripe would send, in its order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest

from bot.core.clock import FakeClock
from sandbox.stripe import ScenarioError, StripeSandbox
from sandbox.stripe.time import period_end

PAID_SUBSCRIPTION = [
    "customer.created",
    "invoice.created",
    "customer.subscription.created",
    "invoice.finalized",
    "charge.succeeded",
    "payment_intent.succeeded",
    "customer.subscription.updated",
    "invoice.paid",
    "invoice.payment_succeeded",
    "checkout.session.completed",
]
RENEWAL = [
    "invoice.created",
    "customer.subscription.updated",
    "invoice.finalized",
    "charge.succeeded",
    "payment_intent.succeeded",
    "invoice.paid",
    "invoice.payment_succeeded",
]


def period(stripe_sb: StripeSandbox, subscription_id: str) -> tuple[int, int]:
    item = stripe_sb.get(subscription_id)["items"]["data"][0]
    return item["current_period_start"], item["current_period_end"]


async def test_paying_a_subscription_session_sends_stripes_events_in_order(
    subscribe: Any,
) -> None:
    outcome = await subscribe()

    assert outcome.types == PAID_SUBSCRIPTION
    assert outcome.events[2]["data"]["object"]["status"] == "incomplete"
    assert outcome.events[-1]["data"]["object"]["subscription"] == outcome.subscription_id


async def test_trial_creates_a_trialing_subscription_without_a_charge(
    subscribe: Any, stripe_sb: StripeSandbox, clock: FakeClock
) -> None:
    outcome = await subscribe(trial_days=14)
    subscription = stripe_sb.get(outcome.subscription_id)

    assert outcome.types == [
        "customer.created",
        "invoice.created",
        "customer.subscription.created",
        "invoice.finalized",
        "invoice.paid",
        "invoice.payment_succeeded",
        "checkout.session.completed",
    ]
    assert subscription["status"] == "trialing"
    assert subscription["trial_end"] == int((clock.now() + timedelta(days=14)).timestamp())
    assert period(stripe_sb, outcome.subscription_id)[1] == subscription["trial_end"]
    assert stripe_sb.get(outcome.invoice_id)["amount_paid"] == 0
    assert stripe_sb.get(outcome.session_id)["payment_status"] == "no_payment_required"


async def test_trial_period_days_from_subscription_data_starts_a_trial(
    subscribe: Any, stripe_sb: StripeSandbox
) -> None:
    outcome = await subscribe(
        subscription_data={"metadata": {"tier": "pro"}, "trial_period_days": 7}
    )

    assert stripe_sb.get(outcome.subscription_id)["status"] == "trialing"


async def test_paying_a_payment_session_sends_intent_charge_and_completed(
    subscribe: Any, stripe_sb: StripeSandbox
) -> None:
    outcome = await subscribe("price_lifetime")

    assert outcome.types == [
        "payment_intent.created",
        "charge.succeeded",
        "payment_intent.succeeded",
        "checkout.session.completed",
    ]
    completed = outcome.events[-1]["data"]["object"]
    assert (completed["payment_status"], completed["payment_intent"]) == (
        "paid",
        outcome.payment_intent_id,
    )
    assert completed["customer"] is None


async def test_async_payment_completes_unpaid_then_succeeds(
    stripe_sb: StripeSandbox, checkout_params: Any
) -> None:
    session = stripe_sb.create_checkout_session(checkout_params("price_lifetime"))

    completed = await stripe_sb.pay(session["id"], async_payment=True)
    settled = await stripe_sb.settle_async_payment(session["id"])

    assert completed.types == [
        "payment_intent.created",
        "payment_intent.processing",
        "charge.pending",
        "checkout.session.completed",
    ]
    assert completed.events[-1]["data"]["object"]["payment_status"] == "unpaid"
    assert settled.types == [
        "charge.succeeded",
        "payment_intent.succeeded",
        "checkout.session.async_payment_succeeded",
    ]
    assert settled.events[-1]["data"]["object"]["payment_status"] == "paid"


async def test_async_payment_can_fail(stripe_sb: StripeSandbox, checkout_params: Any) -> None:
    session = stripe_sb.create_checkout_session(checkout_params("price_lifetime"))
    await stripe_sb.pay(session["id"], async_payment=True)

    failed = await stripe_sb.settle_async_payment(session["id"], succeed=False)

    assert failed.types == [
        "charge.failed",
        "payment_intent.payment_failed",
        "checkout.session.async_payment_failed",
    ]
    assert stripe_sb.get(session["id"])["payment_status"] == "unpaid"


async def test_renew_starts_the_next_paid_period(
    subscribe: Any, stripe_sb: StripeSandbox, clock: FakeClock
) -> None:
    subscription_id = (await subscribe()).subscription_id
    end = period(stripe_sb, subscription_id)[1]
    clock.set(datetime.fromtimestamp(end, UTC))

    renewal = await stripe_sb.renew(subscription_id)

    assert renewal.types == RENEWAL
    assert period(stripe_sb, subscription_id) == (
        end,
        int(datetime(2026, 5, 2, 9, 0, tzinfo=UTC).timestamp()),
    )
    updated = renewal.events[1]["data"]
    assert updated["previous_attributes"]["items"]["data"][0]["current_period_end"] == end
    assert updated["previous_attributes"]["latest_invoice"] != renewal.invoice_id
    assert renewal.invoice_id is not None
    assert stripe_sb.get(renewal.invoice_id)["billing_reason"] == "subscription_cycle"


async def test_renew_ends_a_trial(subscribe: Any, stripe_sb: StripeSandbox) -> None:
    subscription_id = (await subscribe(trial_days=7)).subscription_id

    renewal = await stripe_sb.renew(subscription_id)

    assert stripe_sb.get(subscription_id)["status"] == "active"
    assert renewal.events[1]["data"]["previous_attributes"]["status"] == "trialing"


async def test_failed_renewal_makes_the_subscription_past_due(
    subscribe: Any, stripe_sb: StripeSandbox
) -> None:
    subscription_id = (await subscribe()).subscription_id

    failure = await stripe_sb.fail_payment(subscription_id)

    assert failure.types == [
        "invoice.created",
        "customer.subscription.updated",
        "invoice.finalized",
        "charge.failed",
        "payment_intent.payment_failed",
        "invoice.payment_failed",
        "customer.subscription.updated",
    ]
    assert stripe_sb.get(subscription_id)["status"] == "past_due"
    invoice = failure.events[5]["data"]["object"]
    assert (invoice["status"], invoice["attempt_count"]) == ("open", 1)
    assert invoice["next_payment_attempt"] is not None


async def test_each_retry_sends_another_payment_failed(
    subscribe: Any, stripe_sb: StripeSandbox
) -> None:
    subscription_id = (await subscribe()).subscription_id
    first = await stripe_sb.fail_payment(subscription_id)

    retry = await stripe_sb.fail_payment(subscription_id)

    assert retry.types == [
        "charge.failed",
        "payment_intent.payment_failed",
        "invoice.payment_failed",
    ]
    assert retry.invoice_id == first.invoice_id
    assert retry.events[-1]["data"]["object"]["attempt_count"] == 2


async def test_recover_pays_the_open_invoice_and_reactivates(
    subscribe: Any, stripe_sb: StripeSandbox
) -> None:
    subscription_id = (await subscribe()).subscription_id
    await stripe_sb.fail_payment(subscription_id)

    recovery = await stripe_sb.recover(subscription_id)

    assert recovery.types == [
        "charge.succeeded",
        "payment_intent.succeeded",
        "invoice.paid",
        "invoice.payment_succeeded",
        "customer.subscription.updated",
    ]
    assert stripe_sb.get(subscription_id)["status"] == "active"


async def test_mark_unpaid_moves_past_due_to_unpaid(
    subscribe: Any, stripe_sb: StripeSandbox
) -> None:
    subscription_id = (await subscribe()).subscription_id
    await stripe_sb.fail_payment(subscription_id)

    outcome = await stripe_sb.mark_unpaid(subscription_id)

    assert outcome.types == ["customer.subscription.updated"]
    assert outcome.events[0]["data"]["previous_attributes"] == {"status": "past_due"}


async def test_cancel_at_period_end_schedules_the_cancel(
    subscribe: Any, stripe_sb: StripeSandbox
) -> None:
    subscription_id = (await subscribe()).subscription_id

    outcome = await stripe_sb.cancel_at_period_end(subscription_id)

    subscription = outcome.events[0]["data"]["object"]
    assert outcome.types == ["customer.subscription.updated"]
    assert (subscription["status"], subscription["cancel_at_period_end"]) == ("active", True)
    assert subscription["cancel_at"] == period(stripe_sb, subscription_id)[1]
    assert outcome.events[0]["data"]["previous_attributes"]["cancel_at_period_end"] is False
    assert outcome.events[0]["request"]["id"].startswith("req_")


async def test_end_period_deletes_a_subscription_set_to_cancel(
    subscribe: Any, stripe_sb: StripeSandbox, clock: FakeClock
) -> None:
    subscription_id = (await subscribe()).subscription_id
    await stripe_sb.cancel_at_period_end(subscription_id)
    end = period(stripe_sb, subscription_id)[1]
    clock.set(datetime.fromtimestamp(end, UTC) + timedelta(seconds=1))

    outcome = await stripe_sb.end_period(subscription_id)

    deleted = outcome.events[0]
    assert outcome.types == ["customer.subscription.deleted"]
    assert (deleted["data"]["object"]["status"], deleted["data"]["object"]["ended_at"]) == (
        "canceled",
        end,
    )
    assert deleted["created"] == end + 1


async def test_end_period_refuses_a_subscription_not_set_to_cancel(
    subscribe: Any, stripe_sb: StripeSandbox
) -> None:
    subscription_id = (await subscribe()).subscription_id

    with pytest.raises(ScenarioError, match="not set to cancel"):
        await stripe_sb.end_period(subscription_id)


async def test_undo_cancel_clears_the_scheduled_cancel(
    subscribe: Any, stripe_sb: StripeSandbox
) -> None:
    subscription_id = (await subscribe()).subscription_id
    await stripe_sb.cancel_at_period_end(subscription_id)

    await stripe_sb.undo_cancel(subscription_id)

    subscription = stripe_sb.get(subscription_id)
    assert (subscription["cancel_at"], subscription["cancel_at_period_end"]) == (None, False)


async def test_cancel_now_deletes_at_once(
    subscribe: Any, stripe_sb: StripeSandbox, clock: FakeClock
) -> None:
    subscription_id = (await subscribe()).subscription_id

    outcome = await stripe_sb.cancel_now(subscription_id)

    subscription = outcome.events[0]["data"]["object"]
    assert outcome.types == ["customer.subscription.deleted"]
    assert subscription["status"] == "canceled"
    assert subscription["ended_at"] == subscription["canceled_at"] == int(clock.now().timestamp())


async def test_pause_then_resume(subscribe: Any, stripe_sb: StripeSandbox) -> None:
    subscription_id = (await subscribe()).subscription_id

    paused = await stripe_sb.pause(subscription_id)
    resumed = await stripe_sb.resume(subscription_id)

    assert paused.types == ["customer.subscription.updated", "customer.subscription.paused"]
    assert paused.events[-1]["data"]["object"]["status"] == "paused"
    assert "customer.subscription.resumed" in resumed.types
    assert stripe_sb.get(subscription_id)["status"] == "active"


async def test_full_refund_marks_the_charge_refunded(
    subscribe: Any, stripe_sb: StripeSandbox
) -> None:
    charge_id = (await subscribe("price_lifetime")).charge_id

    outcome = await stripe_sb.refund(charge_id)

    refunded = outcome.events[0]["data"]
    assert outcome.types == ["charge.refunded", "refund.created"]
    assert (refunded["object"]["refunded"], refunded["object"]["amount_refunded"]) == (True, 9900)
    assert refunded["previous_attributes"]["amount_refunded"] == 0


async def test_partial_refund_leaves_the_charge_not_refunded(
    subscribe: Any, stripe_sb: StripeSandbox
) -> None:
    charge_id = (await subscribe("price_lifetime")).charge_id

    outcome = await stripe_sb.refund(charge_id, 1000)

    charge = outcome.events[0]["data"]["object"]
    assert (charge["refunded"], charge["amount_refunded"]) == (False, 1000)
    assert outcome.events[1]["data"]["object"]["amount"] == 1000


async def test_refunding_more_than_is_left_is_refused(
    subscribe: Any, stripe_sb: StripeSandbox
) -> None:
    charge_id = (await subscribe("price_lifetime")).charge_id
    await stripe_sb.refund(charge_id, 9000)

    with pytest.raises(ScenarioError):
        await stripe_sb.refund(charge_id, 1000)


async def test_dispute_sends_charge_dispute_created(
    subscribe: Any, stripe_sb: StripeSandbox
) -> None:
    charge_id = (await subscribe("price_lifetime")).charge_id

    outcome = await stripe_sb.dispute(charge_id)

    dispute = outcome.events[0]["data"]["object"]
    assert outcome.types == ["charge.dispute.created"]
    assert (dispute["object"], dispute["charge"], dispute["amount"]) == ("dispute", charge_id, 9900)
    assert dispute["id"].startswith("dp_")
    assert stripe_sb.get(charge_id)["disputed"] is True


async def test_silent_changes_send_no_events(subscribe: Any, stripe_sb: StripeSandbox) -> None:
    subscription_id = (await subscribe()).subscription_id
    before = len(stripe_sb.events)

    with stripe_sb.silent():
        outcome = await stripe_sb.cancel_now(subscription_id)

    assert outcome.events == ()
    assert len(stripe_sb.events) == before
    assert [s["status"] for s in stripe_sb.objects_of("subscription")] == ["canceled"]


async def test_a_session_cannot_be_paid_twice(
    stripe_sb: StripeSandbox, checkout_params: Any
) -> None:
    session = stripe_sb.create_checkout_session(checkout_params())
    await stripe_sb.pay(session["id"])

    with pytest.raises(ScenarioError, match="complete"):
        await stripe_sb.pay(session["id"])


async def test_a_session_past_expires_at_cannot_be_paid(
    stripe_sb: StripeSandbox, checkout_params: Any, clock: FakeClock
) -> None:
    session = stripe_sb.create_checkout_session(checkout_params())
    clock.advance(timedelta(hours=25))

    with pytest.raises(ScenarioError, match="expired"):
        await stripe_sb.pay(session["id"])


async def test_expire_sends_checkout_session_expired(
    stripe_sb: StripeSandbox, checkout_params: Any
) -> None:
    session = stripe_sb.create_checkout_session(checkout_params())

    outcome = await stripe_sb.expire(session["id"])

    assert outcome.types == ["checkout.session.expired"]
    assert stripe_sb.get(session["id"])["status"] == "expired"


async def test_hosted_checkout_page_pays_and_redirects(
    stripe_sb: StripeSandbox, checkout_params: Any
) -> None:
    session = stripe_sb.create_checkout_session(checkout_params())

    async with (
        aiohttp.ClientSession() as http,
        http.post(session["url"], allow_redirects=False) as response,
    ):
        location = response.headers["Location"]

    assert (response.status, location) == (303, "https://example.com/thanks")
    assert stripe_sb.get(session["id"])["status"] == "complete"


def test_monthly_periods_keep_the_anchor_day() -> None:
    anchor = int(datetime(2026, 1, 31, tzinfo=UTC).timestamp())
    february_end = period_end(anchor, anchor, "month", 1)
    march_end = period_end(anchor, february_end, "month", 1)

    assert datetime.fromtimestamp(february_end, UTC).date().isoformat() == "2026-02-28"
    assert datetime.fromtimestamp(march_end, UTC).date().isoformat() == "2026-03-31"
