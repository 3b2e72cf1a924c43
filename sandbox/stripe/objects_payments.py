"""Payment objects: invoice payments (payment intent -> invoice), payment methods, card errors."""

from __future__ import annotations

import copy

from .state import Obj
from .templates import template

CARD_FIELDS = ("brand", "country", "exp_month", "exp_year", "fingerprint", "funding", "last4")


def build_invoice_payment(payment_id: str, *, invoice: Obj, intent: Obj, created: int) -> Obj:
    """An `invoice_payment` (`inpay_...`) for one payment intent collecting an invoice."""
    return {
        "id": payment_id,
        "object": "invoice_payment",
        "amount_paid": None,
        "amount_requested": invoice["amount_due"],
        "created": created,
        "currency": invoice["currency"],
        "invoice": invoice["id"],
        "is_default": True,
        "livemode": False,
        "payment": {"type": "payment_intent", "payment_intent": intent["id"]},
        "status": "open",
        "status_transitions": {"canceled_at": None, "paid_at": None},
    }


def mark_paid(invoice_payment: Obj, *, amount: int, at: int) -> None:
    """The payment collected the invoice."""
    invoice_payment.update(
        amount_paid=amount,
        status="paid",
        status_transitions=dict(invoice_payment["status_transitions"], paid_at=at),
    )


def build_payment_method(charge: Obj) -> Obj:
    """The card payment method (`pm_...`) a charge was made with, as Stripe embeds it."""
    method = template("payment_method")
    paid_with = charge["payment_method_details"]["card"]
    card = dict(method["card"], generated_from=None, wallet=None)
    card.update({key: paid_with[key] for key in CARD_FIELDS if key in paid_with})
    card["display_brand"] = card["brand"]
    method.update(
        id=charge["payment_method"],
        billing_details=copy.deepcopy(charge["billing_details"]),
        card=card,
        created=charge["created"],
        customer=charge["customer"],
        metadata={},
    )
    return method


def card_error(charge: Obj) -> Obj:
    """The `last_payment_error` a payment intent shows after `charge` was declined: the
    payment method is the whole object, not its id."""
    return {
        "charge": charge["id"],
        "code": "card_declined",
        "decline_code": "generic_decline",
        "doc_url": "https://stripe.com/docs/error-codes/card-declined",
        "message": "Your card was declined.",
        "payment_method": build_payment_method(charge),
        "type": "card_error",
    }
