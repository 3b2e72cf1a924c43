"""Builders for subscriptions, invoices and payments (intents, charges, refunds, disputes)."""

from __future__ import annotations

import copy
from typing import Any

from .objects_catalog import build_plan
from .templates import template

Obj = dict[str, Any]


def build_subscription_item(
    item_id: str,
    *,
    subscription_id: str,
    price: Obj,
    quantity: int,
    created: int,
    period_start: int,
    period_end: int,
) -> Obj:
    """A subscription item; the billing period lives here in the current API."""
    item = template("subscription_item")
    item.update(
        id=item_id,
        billing_thresholds=None,
        created=created,
        current_period_start=period_start,
        current_period_end=period_end,
        discounts=[],
        metadata={},
        plan=build_plan(price),
        price=copy.deepcopy(price),
        quantity=quantity,
        subscription=subscription_id,
        tax_rates=[],
    )
    return item


def build_subscription(
    subscription_id: str,
    *,
    customer: str,
    created: int,
    currency: str,
    items: list[Obj],
    metadata: dict[str, str],
    status: str,
    billing_cycle_anchor: int,
    trial_start: int | None,
    trial_end: int | None,
    payment_method: str | None,
    description: str | None,
) -> Obj:
    """A subscription (`sub_...`) with no top-level period fields."""
    subscription = template("subscription")
    subscription["items"].update(
        data=items, has_more=False, url=f"/v1/subscription_items?subscription={subscription_id}"
    )
    subscription.update(
        id=subscription_id,
        billing_cycle_anchor=billing_cycle_anchor,
        billing_cycle_anchor_config=None,
        billing_schedules=[],
        billing_thresholds=None,
        cancel_at=None,
        cancel_at_period_end=False,
        canceled_at=None,
        cancellation_details={"comment": None, "feedback": None, "reason": None},
        created=created,
        currency=currency,
        customer=customer,
        default_payment_method=payment_method,
        description=description,
        discounts=[],
        ended_at=None,
        latest_invoice=None,
        managed_payments=None,
        metadata=dict(metadata),
        next_pending_invoice_item_invoice=None,
        pause_collection=None,
        pending_invoice_item_interval=None,
        pending_update=None,
        start_date=created,
        status=status,
        transfer_data=None,
        trial_end=trial_end,
        trial_start=trial_start,
    )
    return subscription


def build_invoice_line(
    line_id: str,
    *,
    invoice_id: str,
    subscription: Obj,
    item: Obj,
    amount: int,
    description: str,
) -> Obj:
    """An invoice line for one subscription item, carrying the service period."""
    line = template("line_item")
    price = item["price"]
    line.update(
        id=line_id,
        amount=amount,
        currency=price["currency"],
        description=description,
        discount_amounts=[],
        discounts=[],
        invoice=invoice_id,
        metadata=dict(subscription["metadata"]),
        parent={
            "invoice_item_details": None,
            "subscription_item_details": {
                "invoice_item": None,
                "proration": False,
                "proration_details": {"credited_items": None},
                "subscription": subscription["id"],
                "subscription_item": item["id"],
            },
            "type": "subscription_item_details",
        },
        period={"start": item["current_period_start"], "end": item["current_period_end"]},
        pretax_credit_amounts=[],
        pricing={
            "price_details": {"price": price["id"], "product": price["product"]},
            "type": "price_details",
            "unit_amount_decimal": price["unit_amount_decimal"],
        },
        quantity=item["quantity"],
        subscription=subscription["id"],
        subtotal=amount,
        taxes=[],
    )
    return line


def build_invoice(
    invoice_id: str,
    *,
    customer: Obj,
    subscription: Obj,
    created: int,
    billing_reason: str,
    lines: list[Obj],
    period_start: int,
    period_end: int,
) -> Obj:
    """A draft subscription invoice; its subscription is under `parent.subscription_details`."""
    invoice = template("invoice")
    del invoice["subscription"]  # gone from the current API; see objects/PROVENANCE.md
    total = sum(line["amount"] for line in lines)
    invoice["lines"].update(data=lines, has_more=False, url=f"/v1/invoices/{invoice_id}/lines")
    invoice.update(
        id=invoice_id,
        amount_due=total,
        amount_overpaid=0,
        amount_paid=0,
        amount_remaining=total,
        attempt_count=0,
        attempted=False,
        auto_advance=True,
        automatically_finalizes_at=created + 3600,
        billing_reason=billing_reason,
        created=created,
        currency=subscription["currency"],
        customer=customer["id"],
        customer_address=None,
        customer_email=customer["email"],
        customer_name=customer["name"],
        customer_shipping=None,
        discounts=[],
        due_date=None,
        effective_at=None,
        from_invoice=None,
        last_finalization_error=None,
        metadata={},
        next_payment_attempt=None,
        number=None,
        parent={
            "quote_details": None,
            "subscription_details": {
                "metadata": dict(subscription["metadata"]),
                "subscription": subscription["id"],
            },
            "type": "subscription_details",
        },
        period_end=period_end,
        period_start=period_start,
        shipping_cost=None,
        shipping_details=None,
        status="draft",
        status_transitions={
            "finalized_at": None,
            "marked_uncollectible_at": None,
            "paid_at": None,
            "voided_at": None,
        },
        subtotal=total,
        subtotal_excluding_tax=total,
        total=total,
        total_discount_amounts=[],
        total_excluding_tax=total,
        total_pretax_credit_amounts=[],
        total_taxes=[],
        webhooks_delivered_at=None,
    )
    return invoice


def build_payment_intent(
    intent_id: str,
    *,
    amount: int,
    currency: str,
    customer: str | None,
    created: int,
    description: str | None,
    metadata: dict[str, str],
    payment_method: str,
    client_secret: str,
) -> Obj:
    """A payment intent (`pi_...`) waiting for its payment."""
    intent = template("payment_intent")
    intent.update(
        id=intent_id,
        amount=amount,
        automatic_payment_methods=None,
        canceled_at=None,
        client_secret=client_secret,
        created=created,
        currency=currency,
        customer=customer,
        description=description,
        last_payment_error=None,
        managed_payments=None,
        metadata=dict(metadata),
        next_action=None,
        payment_method=payment_method,
        payment_method_configuration_details=None,
        processing=None,
        shipping=None,
        status="requires_payment_method",
        transfer_data=None,
    )
    return intent


def build_charge(
    charge_id: str,
    *,
    intent: Obj,
    created: int,
    email: str | None,
    name: str | None,
    balance_transaction: str,
    receipt_url: str,
) -> Obj:
    """A succeeded card charge for a payment intent (metadata copied from the intent)."""
    charge = template("charge")
    card = dict(
        charge["payment_method_details"]["card"], amount_authorized=intent["amount"], wallet=None
    )
    charge.update(
        id=charge_id,
        amount=intent["amount"],
        amount_captured=intent["amount"],
        amount_refunded=0,
        balance_transaction=balance_transaction,
        billing_details=dict(charge["billing_details"], email=email, name=name),
        calculated_statement_descriptor="LYCEUM",
        captured=True,
        created=created,
        currency=intent["currency"],
        customer=intent["customer"],
        description=intent["description"],
        disputed=False,
        metadata=dict(intent["metadata"]),
        outcome={
            "advice_code": None,
            "network_advice_code": None,
            "network_decline_code": None,
            "network_status": "approved_by_network",
            "reason": None,
            "risk_level": "normal",
            "seller_message": "Payment complete.",
            "type": "authorized",
        },
        paid=True,
        payment_intent=intent["id"],
        payment_method=intent["payment_method"],
        payment_method_details={"card": card, "type": "card"},
        receipt_email=email,
        receipt_url=receipt_url,
        refunded=False,
        refunds={
            "data": [],
            "has_more": False,
            "object": "list",
            "url": f"/v1/charges/{charge_id}/refunds",
        },
        shipping=None,
        source=None,
        status="succeeded",
        transfer_data=None,
    )
    return charge


def decline(charge: Obj) -> None:
    """Turn a charge into a declined one (`card_declined`)."""
    charge.update(
        amount_captured=0,
        balance_transaction=None,
        captured=False,
        failure_code="card_declined",
        failure_message="Your card was declined.",
        outcome=dict(
            charge["outcome"],
            network_status="declined_by_network",
            reason="generic_decline",
            seller_message="The bank did not return any further details with this decline.",
            type="issuer_declined",
        ),
        paid=False,
        status="failed",
    )


def build_refund(
    refund_id: str,
    *,
    charge: Obj,
    amount: int,
    created: int,
    reason: str | None,
    balance_transaction: str,
) -> Obj:
    """A succeeded refund (`re_...`) of part or all of a charge."""
    refund = template("refund")
    refund.update(
        id=refund_id,
        amount=amount,
        balance_transaction=balance_transaction,
        charge=charge["id"],
        created=created,
        currency=charge["currency"],
        metadata={},
        payment_intent=charge["payment_intent"],
        payment_method=charge["payment_method"],
        reason=reason,
        status="succeeded",
    )
    return refund


def build_dispute(dispute_id: str, *, charge: Obj, created: int, reason: str) -> Obj:
    """A dispute (`dp_...`) that needs a response."""
    dispute = template("dispute")
    dispute["evidence_details"].update(
        due_by=created + 7 * 86400, submission_method="not_submitted"
    )
    dispute["payment_method_details"]["card"].update(case_type="chargeback")
    dispute.update(
        id=dispute_id,
        amount=charge["amount"] - charge["amount_refunded"],
        balance_transactions=[],
        charge=charge["id"],
        created=created,
        currency=charge["currency"],
        enhanced_eligibility_types=[],
        is_charge_refundable=False,
        metadata={},
        payment_intent=charge["payment_intent"],
        reason=reason,
        status="needs_response",
    )
    return dispute
