"""Invoice payments: the link from a payment intent to the invoice it pays."""

from __future__ import annotations

from ._state import Obj


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
