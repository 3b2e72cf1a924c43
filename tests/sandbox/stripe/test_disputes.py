"""Invoice payments (payment intent → invoice) and disputes that close."""

from __future__ import annotations

from typing import Any

import pytest
import stripe

from sandbox.stripe import ScenarioError, StripeSandbox


async def test_invoice_payments_lead_from_a_payment_intent_to_its_invoice(
    subscribe: Any, stripe_sb: StripeSandbox, client: stripe.StripeClient
) -> None:
    outcome = await subscribe()
    subscription = stripe_sb.get(outcome.subscription_id)

    page = await client.v1.invoice_payments.list_async(
        {"payment": {"type": "payment_intent", "payment_intent": outcome.payment_intent_id}}
    )

    [payment] = page.data
    assert payment.object == "invoice_payment" and payment.status == "paid"
    assert payment.invoice == subscription["latest_invoice"]
    assert payment.amount_paid == payment.amount_requested == 1500


async def test_closing_a_dispute_sends_charge_dispute_closed(
    subscribe: Any, stripe_sb: StripeSandbox
) -> None:
    outcome = await subscribe()
    opened = await stripe_sb.dispute(outcome.charge_id)

    closed = await stripe_sb.close_dispute(opened.dispute_id or "", status="won")

    assert closed.types == ["charge.dispute.closed"]
    event = closed.events[0]
    assert event["data"]["object"]["status"] == "won"
    assert event["data"]["previous_attributes"] == {"status": "needs_response"}


async def test_a_dispute_closes_once(subscribe: Any, stripe_sb: StripeSandbox) -> None:
    outcome = await subscribe()
    opened = await stripe_sb.dispute(outcome.charge_id)
    await stripe_sb.close_dispute(opened.dispute_id or "", status="lost")

    with pytest.raises(ScenarioError, match="already lost"):
        await stripe_sb.close_dispute(opened.dispute_id or "", status="won")
