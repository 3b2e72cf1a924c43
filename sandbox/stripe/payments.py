"""Money movements the scenarios share: customers, intents, charges, invoice lifecycles."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal

from .errors import ScenarioError
from .objects_billing import (
    build_charge,
    build_invoice,
    build_invoice_line,
    build_payment_intent,
    decline,
)
from .objects_catalog import build_customer
from .objects_payments import build_invoice_payment, card_error, mark_paid
from .state import Obj, StripeState, diff

ChargeResult = Literal["succeed", "fail", "pending"]
_RETRY_DAYS = (3, 5, 7)  # days until the next automatic retry after attempt 1, 2, 3


def money(amount: int, currency: str) -> str:
    """`$15.00` for usd, `15.00 EUR` otherwise."""
    value = f"{amount / 100:.2f}"
    return f"${value}" if currency == "usd" else f"{value} {currency.upper()}"


class Payments:
    """Creates and moves customers, payment intents, charges and invoices, emitting events."""

    def __init__(self, state: StripeState) -> None:
        self.state = state
        self._invoice_intents: dict[str, str] = {}

    def emit(
        self,
        events: list[Obj],
        event_type: str,
        obj: Obj,
        *,
        previous: Obj | None = None,
        request: bool = False,
    ) -> None:
        """Send one event and remember it in `events` (unless the sandbox is silent)."""
        event = self.state.emit(event_type, obj, previous=previous, request=request)
        if event is not None:
            events.append(event)

    def create_customer(
        self,
        events: list[Obj],
        *,
        email: str | None,
        name: str | None,
        metadata: dict[str, str] | None = None,
    ) -> Obj:
        """A new customer (`customer.created`)."""
        customer = self.state.put(
            build_customer(
                self.state.ids.new("cus"),
                created=self.state.now(),
                email=email,
                name=name,
                metadata=metadata or {},
                invoice_prefix=self.state.ids.invoice_prefix(),
            )
        )
        self.emit(events, "customer.created", customer)
        return customer

    def new_intent(
        self,
        *,
        amount: int,
        currency: str,
        customer: str | None,
        description: str | None,
        metadata: dict[str, str],
        payment_method: str,
    ) -> Obj:
        """A payment intent ready to be confirmed (no event: Checkout creates it silently)."""
        intent_id = self.state.ids.new("pi")
        return self.state.put(
            build_payment_intent(
                intent_id,
                amount=amount,
                currency=currency,
                customer=customer,
                created=self.state.now(),
                description=description,
                metadata=metadata,
                payment_method=payment_method,
                client_secret=f"{intent_id}_secret_{self.state.ids.random(25)}",
            )
        )

    def attempt_charge(
        self,
        events: list[Obj],
        intent: Obj,
        result: ChargeResult,
        *,
        email: str | None = None,
        name: str | None = None,
    ) -> Obj:
        """Confirm `intent` with a new charge that succeeds, is declined, or is pending."""
        customer = self.state.find(intent["customer"] or "", "customer") or {}
        ids = self.state.ids
        charge = self.state.put(
            build_charge(
                ids.new("ch"),
                intent=intent,
                created=self.state.now(),
                email=email or customer.get("email"),
                name=name or customer.get("name"),
                balance_transaction=ids.new("txn"),
                receipt_url=f"https://pay.stripe.com/receipts/payment/{ids.random(40)}",
            )
        )
        intent["latest_charge"] = charge["id"]
        if result == "pending":
            charge.update(status="pending", paid=False, balance_transaction=None)
            intent["status"] = "processing"
            self.emit(events, "payment_intent.processing", intent)
            self.emit(events, "charge.pending", charge)
        else:
            self._finish(events, intent, charge, succeed=result == "succeed")
        return charge

    def settle_pending(self, events: list[Obj], intent: Obj, *, succeed: bool) -> Obj:
        """Resolve a processing intent's pending charge (bank debits settle days later)."""
        charge = self.state.require(intent["latest_charge"], "charge")
        if charge["status"] != "pending":
            raise ScenarioError(f"charge {charge['id']} is {charge['status']}, not pending")
        if succeed:
            charge.update(paid=True, balance_transaction=self.state.ids.new("txn"))
        self._finish(events, intent, charge, succeed=succeed)
        return charge

    def _finish(self, events: list[Obj], intent: Obj, charge: Obj, *, succeed: bool) -> None:
        if succeed:
            charge["status"] = "succeeded"
            intent.update(
                status="succeeded", amount_received=intent["amount"], last_payment_error=None
            )
            self.emit(events, "charge.succeeded", charge)
            self.emit(events, "payment_intent.succeeded", intent)
        else:
            decline(charge)
            intent.update(status="requires_payment_method", last_payment_error=card_error(charge))
            self.emit(events, "charge.failed", charge)
            self.emit(events, "payment_intent.payment_failed", intent)

    def draft_invoice(
        self,
        events: list[Obj],
        subscription: Obj,
        *,
        reason: str,
        period_start: int,
        period_end: int,
        trial: bool = False,
    ) -> Obj:
        """A draft invoice for the subscription's current items (`invoice.created`)."""
        customer = self.state.require(subscription["customer"], "customer")
        invoice_id = self.state.ids.new("in")
        lines = [
            build_invoice_line(
                self.state.ids.new("il"),
                invoice_id=invoice_id,
                subscription=subscription,
                item=item,
                amount=0 if trial else item["price"]["unit_amount"] * item["quantity"],
                description=self._line_text(item, trial),
            )
            for item in subscription["items"]["data"]
        ]
        invoice = self.state.put(
            build_invoice(
                invoice_id,
                customer=customer,
                subscription=subscription,
                created=self.state.now(),
                billing_reason=reason,
                lines=lines,
                period_start=period_start,
                period_end=period_end,
            )
        )
        self.emit(events, "invoice.created", invoice)
        return invoice

    def _line_text(self, item: Obj, trial: bool) -> str:
        price = item["price"]
        product = self.state.find(price["product"], "product")
        name = product["name"] if product else price["product"]
        if trial:
            return f"Trial period for {name}"
        unit = money(price["unit_amount"], price["currency"])
        interval = price["recurring"]["interval"]
        return f"{item['quantity']} \N{MULTIPLICATION SIGN} {name} (at {unit} / {interval})"

    def finalize_invoice(self, events: list[Obj], invoice: Obj) -> None:
        """Number and open the invoice (`invoice.finalized`)."""
        customer = self.state.require(invoice["customer"], "customer")
        sequence = customer["next_invoice_sequence"]
        customer["next_invoice_sequence"] = sequence + 1
        now = self.state.now()
        invoice.update(
            automatically_finalizes_at=None,
            effective_at=now,
            number=f"{customer['invoice_prefix']}-{sequence:04d}",
            status="open",
            status_transitions=dict(invoice["status_transitions"], finalized_at=now),
            webhooks_delivered_at=now,
        )
        self.emit(events, "invoice.finalized", invoice)

    def charge_invoice(self, events: list[Obj], invoice: Obj, *, succeed: bool) -> Obj:
        """One payment attempt on an open invoice (charge and intent events only)."""
        if invoice["status"] != "open":
            raise ScenarioError(f"invoice {invoice['id']} is {invoice['status']}, not open")
        intent = self.intent_for(invoice)
        if intent is None:
            subscription = self._subscription_of(invoice)
            creation = invoice["billing_reason"] == "subscription_create"
            intent = self.new_intent(
                amount=invoice["amount_due"],
                currency=invoice["currency"],
                customer=invoice["customer"],
                description="Subscription creation" if creation else "Subscription update",
                metadata={},
                payment_method=subscription["default_payment_method"] or "",
            )
            self._invoice_intents[invoice["id"]] = intent["id"]
            self.state.put(
                build_invoice_payment(
                    self.state.ids.new("inpay"),
                    invoice=invoice,
                    intent=intent,
                    created=self.state.now(),
                )
            )
        charge = self.attempt_charge(events, intent, "succeed" if succeed else "fail")
        attempts = invoice["attempt_count"] + 1
        next_attempt = None
        if not succeed and attempts <= len(_RETRY_DAYS):
            next_attempt = self.state.now() + _RETRY_DAYS[attempts - 1] * 86400
        invoice.update(attempt_count=attempts, attempted=True, next_payment_attempt=next_attempt)
        return charge

    def intent_for(self, invoice: Obj) -> Obj | None:
        """The payment intent that collects this invoice, once one was attempted."""
        return self.state.find(self._invoice_intents.get(invoice["id"], ""), "payment_intent")

    def mark_invoice_paid(self, events: list[Obj], invoice: Obj) -> None:
        """Settle the invoice (`invoice.paid`, `invoice.payment_succeeded`)."""
        invoice.update(
            amount_paid=invoice["amount_due"],
            amount_remaining=0,
            attempted=True,
            next_payment_attempt=None,
            status="paid",
            status_transitions=dict(invoice["status_transitions"], paid_at=self.state.now()),
        )
        for payment in self.state.all_of("invoice_payment"):
            if payment["invoice"] == invoice["id"] and payment["status"] == "open":
                mark_paid(payment, amount=invoice["amount_due"], at=self.state.now())
        self.emit(events, "invoice.paid", invoice)
        self.emit(events, "invoice.payment_succeeded", invoice)

    def mark_invoice_failed(self, events: list[Obj], invoice: Obj) -> None:
        """Report the failed attempt (`invoice.payment_failed`)."""
        self.emit(events, "invoice.payment_failed", invoice)

    @contextmanager
    def updating(
        self, events: list[Obj], subscription: Obj, *, request: bool = False
    ) -> Iterator[Obj]:
        """Change the subscription inside the block; then send `.updated` with the diff."""
        before = copy.deepcopy(subscription)
        yield subscription
        self.emit_updated(events, subscription, before, request=request)

    def emit_updated(
        self, events: list[Obj], subscription: Obj, before: Obj, *, request: bool = False
    ) -> None:
        """Send `customer.subscription.updated` with what changed since `before`."""
        self.emit(
            events,
            "customer.subscription.updated",
            subscription,
            previous=diff(before, subscription),
            request=request,
        )

    def _subscription_of(self, invoice: Obj) -> Obj:
        details = (invoice["parent"] or {}).get("subscription_details") or {}
        return self.state.require(details.get("subscription") or "", "subscription")
