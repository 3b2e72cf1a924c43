"""Subscription lifecycles: start, renew, failed payments, cancellation, pause."""

from __future__ import annotations

import copy
import logging

from .errors import ScenarioError
from .objects_billing import build_subscription, build_subscription_item
from .payments import Payments
from .state import Obj, Outcome, StripeState
from .time import period_end

log = logging.getLogger(__name__)

_LIVE = ("active", "trialing", "past_due", "unpaid", "paused", "incomplete")


class SubscriptionFlows:
    """Moves subscriptions through Stripe's states and sends the events Stripe sends."""

    def __init__(self, state: StripeState, payments: Payments) -> None:
        self.state = state
        self.payments = payments

    def start(
        self,
        events: list[Obj],
        *,
        customer: Obj,
        lines: list[tuple[Obj, int]],
        metadata: dict[str, str],
        trial_end: int | None,
        payment_method: str,
        description: str | None = None,
    ) -> tuple[Obj, Obj]:
        """A new subscription from Checkout: trialing, or incomplete until its first invoice
        is paid (events: invoice.created, customer.subscription.created, invoice.finalized,
        charge.succeeded, payment_intent.succeeded, customer.subscription.updated,
        invoice.paid, invoice.payment_succeeded; a trial skips the charge and the update)."""
        now = self.state.now()
        recurring = lines[0][0]["recurring"]
        end = trial_end or period_end(now, now, recurring["interval"], recurring["interval_count"])
        anchor = end if trial_end else now
        subscription_id = self.state.ids.new("sub")
        items = [
            build_subscription_item(
                self.state.ids.new("si"),
                subscription_id=subscription_id,
                price=price,
                quantity=quantity,
                created=now,
                period_start=now,
                period_end=end,
            )
            for price, quantity in lines
        ]
        subscription = self.state.put(
            build_subscription(
                subscription_id,
                customer=customer["id"],
                created=now,
                currency=lines[0][0]["currency"],
                items=items,
                metadata=metadata,
                status="trialing" if trial_end else "incomplete",
                billing_cycle_anchor=anchor,
                trial_start=now if trial_end else None,
                trial_end=trial_end,
                payment_method=payment_method,
                description=description,
            )
        )
        invoice = self.payments.draft_invoice(
            events,
            subscription,
            reason="subscription_create",
            period_start=now,
            period_end=now,
            trial=trial_end is not None,
        )
        subscription["latest_invoice"] = invoice["id"]
        self.payments.emit(events, "customer.subscription.created", subscription)
        self.payments.finalize_invoice(events, invoice)
        if trial_end is None:
            self.payments.charge_invoice(events, invoice, succeed=True)
            with self.payments.updating(events, subscription):
                subscription["status"] = "active"
        self.payments.mark_invoice_paid(events, invoice)
        return subscription, invoice

    def renew(self, subscription_id: str) -> Outcome:
        """Start the next period and pay for it (a trial ends here and turns active)."""
        subscription = self._get(subscription_id, "active", "trialing")
        events: list[Obj] = []
        invoice = self._next_period(events, subscription)
        charge = self.payments.charge_invoice(events, invoice, succeed=True)
        self.payments.mark_invoice_paid(events, invoice)
        return self._outcome(events, subscription, invoice, charge_id=charge["id"])

    def fail_payment(self, subscription_id: str) -> Outcome:
        """Renewal payment declined (→ past_due); on a past_due plan, one more failed retry."""
        subscription = self._get(subscription_id, "active", "trialing", "past_due", "unpaid")
        events: list[Obj] = []
        if subscription["status"] in ("active", "trialing"):
            invoice = self._next_period(events, subscription)
        else:
            invoice = self._open_invoice(subscription)
        charge = self.payments.charge_invoice(events, invoice, succeed=False)
        self.payments.mark_invoice_failed(events, invoice)
        if subscription["status"] in ("active", "trialing"):
            with self.payments.updating(events, subscription):
                subscription["status"] = "past_due"
        return self._outcome(events, subscription, invoice, charge_id=charge["id"])

    def recover(self, subscription_id: str) -> Outcome:
        """The open invoice of a past_due or unpaid plan gets paid (→ active)."""
        subscription = self._get(subscription_id, "past_due", "unpaid")
        invoice = self._open_invoice(subscription)
        events: list[Obj] = []
        charge = self.payments.charge_invoice(events, invoice, succeed=True)
        self.payments.mark_invoice_paid(events, invoice)
        with self.payments.updating(events, subscription):
            subscription["status"] = "active"
        return self._outcome(events, subscription, invoice, charge_id=charge["id"])

    def mark_unpaid(self, subscription_id: str) -> Outcome:
        """Retries are exhausted: past_due → unpaid."""
        subscription = self._get(subscription_id, "past_due")
        events: list[Obj] = []
        with self.payments.updating(events, subscription):
            subscription["status"] = "unpaid"
        return self._outcome(events, subscription)

    def cancel_at_period_end(self, subscription_id: str) -> Outcome:
        """The member cancels in the portal: the plan runs until its period ends."""
        subscription = self._get(subscription_id, "active", "trialing", "past_due")
        if subscription["cancel_at"] is not None:
            raise ScenarioError(f"subscription {subscription_id} is already set to cancel")
        events: list[Obj] = []
        with self.payments.updating(events, subscription, request=True):
            subscription.update(
                cancel_at=self._period(subscription)[1],
                cancel_at_period_end=True,
                canceled_at=self.state.now(),
                cancellation_details=dict(
                    subscription["cancellation_details"], reason="cancellation_requested"
                ),
            )
        return self._outcome(events, subscription)

    def undo_cancel(self, subscription_id: str) -> Outcome:
        """The member renews again before the period ends: the scheduled cancel is dropped."""
        subscription = self._get(subscription_id, "active", "trialing", "past_due")
        if subscription["cancel_at"] is None:
            raise ScenarioError(f"subscription {subscription_id} is not set to cancel")
        events: list[Obj] = []
        with self.payments.updating(events, subscription, request=True):
            subscription.update(
                cancel_at=None,
                cancel_at_period_end=False,
                canceled_at=None,
                cancellation_details=dict(subscription["cancellation_details"], reason=None),
            )
        return self._outcome(events, subscription)

    def end_period(self, subscription_id: str) -> Outcome:
        """A plan set to cancel reaches `cancel_at`: canceled, `customer.subscription.deleted`."""
        subscription = self._get(subscription_id, *_LIVE)
        if subscription["cancel_at"] is None:
            raise ScenarioError(
                f"subscription {subscription_id} is not set to cancel; use renew() or "
                "fail_payment() for a period end that continues the plan"
            )
        return self._end(subscription, ended_at=subscription["cancel_at"], request=False)

    def cancel_now(self, subscription_id: str) -> Outcome:
        """Immediate cancellation: canceled, `customer.subscription.deleted`."""
        subscription = self._get(subscription_id, *_LIVE)
        subscription.update(
            canceled_at=self.state.now(),
            cancellation_details=dict(
                subscription["cancellation_details"], reason="cancellation_requested"
            ),
        )
        return self._end(subscription, ended_at=self.state.now(), request=True)

    def pause(self, subscription_id: str) -> Outcome:
        """The plan becomes `paused` (updated, then customer.subscription.paused)."""
        subscription = self._get(subscription_id, "active", "trialing")
        events: list[Obj] = []
        with self.payments.updating(events, subscription):
            subscription["status"] = "paused"
        self.payments.emit(events, "customer.subscription.paused", subscription)
        return self._outcome(events, subscription)

    def resume(self, subscription_id: str) -> Outcome:
        """A paused plan restarts now with a new paid period (→ active)."""
        subscription = self._get(subscription_id, "paused")
        events: list[Obj] = []
        now = self.state.now()
        old_start, old_end = self._period(subscription)
        invoice = self._new_period(
            events,
            subscription,
            start=now,
            anchor=now,
            reason="subscription_update",
            invoiced=(old_start, old_end),
        )
        self.payments.emit(events, "customer.subscription.resumed", subscription)
        self.payments.finalize_invoice(events, invoice)
        charge = self.payments.charge_invoice(events, invoice, succeed=True)
        self.payments.mark_invoice_paid(events, invoice)
        return self._outcome(events, subscription, invoice, charge_id=charge["id"])

    def _end(self, subscription: Obj, *, ended_at: int, request: bool) -> Outcome:
        events: list[Obj] = []
        subscription.update(status="canceled", ended_at=ended_at)
        self.payments.emit(events, "customer.subscription.deleted", subscription, request=request)
        return self._outcome(events, subscription)

    def _next_period(self, events: list[Obj], subscription: Obj) -> Obj:
        """Advance to the next period and open its invoice (created, updated, finalized)."""
        old_start, old_end = self._period(subscription)
        invoice = self._new_period(
            events,
            subscription,
            start=old_end,
            anchor=subscription["billing_cycle_anchor"],
            reason="subscription_cycle",
            invoiced=(old_start, old_end),
        )
        self.payments.finalize_invoice(events, invoice)
        return invoice

    def _new_period(
        self,
        events: list[Obj],
        subscription: Obj,
        *,
        start: int,
        anchor: int,
        reason: str,
        invoiced: tuple[int, int],
    ) -> Obj:
        """Move the items to the period beginning at `start`, draft its invoice, then send
        `customer.subscription.updated` (a trial or a pause ends here)."""
        recurring = subscription["items"]["data"][0]["price"]["recurring"]
        end = period_end(anchor, start, recurring["interval"], recurring["interval_count"])
        before = copy.deepcopy(subscription)
        for item in subscription["items"]["data"]:
            item.update(current_period_start=start, current_period_end=end)
        if subscription["status"] in ("trialing", "paused"):
            subscription["status"] = "active"
        subscription["billing_cycle_anchor"] = anchor
        invoice = self.payments.draft_invoice(
            events, subscription, reason=reason, period_start=invoiced[0], period_end=invoiced[1]
        )
        subscription["latest_invoice"] = invoice["id"]
        self.payments.emit_updated(events, subscription, before)
        return invoice

    def _get(self, subscription_id: str, *statuses: str) -> Obj:
        subscription = self.state.require(subscription_id, "subscription")
        if subscription["status"] not in statuses:
            raise ScenarioError(
                f"subscription {subscription_id} is {subscription['status']}; "
                f"this needs one of: {', '.join(statuses)}"
            )
        return subscription

    def _open_invoice(self, subscription: Obj) -> Obj:
        invoice = self.state.require(subscription["latest_invoice"] or "", "invoice")
        if invoice["status"] != "open":
            raise ScenarioError(f"latest invoice {invoice['id']} is {invoice['status']}, not open")
        return invoice

    @staticmethod
    def _period(subscription: Obj) -> tuple[int, int]:
        item = subscription["items"]["data"][0]
        return item["current_period_start"], item["current_period_end"]

    @staticmethod
    def _outcome(
        events: list[Obj],
        subscription: Obj,
        invoice: Obj | None = None,
        *,
        charge_id: str | None = None,
    ) -> Outcome:
        return Outcome(
            events=tuple(events),
            customer_id=subscription["customer"],
            subscription_id=subscription["id"],
            invoice_id=invoice["id"] if invoice else None,
            charge_id=charge_id,
        )
