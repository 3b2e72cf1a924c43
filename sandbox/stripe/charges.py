"""After-payment events on a charge: refunds and disputes."""

from __future__ import annotations

import copy
import logging

from .errors import ScenarioError
from .objects_billing import build_dispute, build_refund
from .payments import Payments
from .state import Obj, Outcome, StripeState, diff

log = logging.getLogger(__name__)

_CLOSED = ("won", "lost", "warning_closed")


class ChargeFlows:
    """Refunds and disputes of succeeded charges."""

    def __init__(self, state: StripeState, payments: Payments) -> None:
        self.state = state
        self.payments = payments

    def refund(
        self,
        charge_id: str,
        amount: int | None = None,
        *,
        reason: str | None = "requested_by_customer",
    ) -> Outcome:
        """Refund what is left of a charge, or `amount` (charge.refunded, refund.created)."""
        charge = self._succeeded(charge_id)
        remaining = charge["amount"] - charge["amount_refunded"]
        amount = remaining if amount is None else amount
        if not 0 < amount <= remaining:
            raise ScenarioError(f"cannot refund {amount} of charge {charge_id}: {remaining} left")
        refund = self.state.put(
            build_refund(
                self.state.ids.new("re"),
                charge=charge,
                amount=amount,
                created=self.state.now(),
                reason=reason,
                balance_transaction=self.state.ids.new("txn"),
            )
        )
        before = copy.deepcopy(charge)
        charge["amount_refunded"] += amount
        charge["refunded"] = charge["amount_refunded"] == charge["amount"]
        charge["refunds"]["data"].insert(0, copy.deepcopy(refund))
        events: list[Obj] = []
        self.payments.emit(
            events, "charge.refunded", charge, previous=diff(before, charge), request=True
        )
        self.payments.emit(events, "refund.created", refund, request=True)
        log.info(
            "refunded %s of %s (%s)", amount, charge_id, "full" if charge["refunded"] else "partial"
        )
        return Outcome(
            events=tuple(events),
            customer_id=charge["customer"],
            payment_intent_id=charge["payment_intent"],
            charge_id=charge_id,
            refund_id=refund["id"],
        )

    def dispute(self, charge_id: str, *, reason: str = "fraudulent") -> Outcome:
        """The card holder disputes the charge (`charge.dispute.created`)."""
        charge = self._succeeded(charge_id)
        if charge["disputed"]:
            raise ScenarioError(f"charge {charge_id} is already disputed")
        dispute = self.state.put(
            build_dispute(
                self.state.ids.new("dp"), charge=charge, created=self.state.now(), reason=reason
            )
        )
        charge["disputed"] = True
        events: list[Obj] = []
        self.payments.emit(events, "charge.dispute.created", dispute)
        return Outcome(
            events=tuple(events),
            customer_id=charge["customer"],
            payment_intent_id=charge["payment_intent"],
            charge_id=charge_id,
            dispute_id=dispute["id"],
        )

    def close_dispute(self, dispute_id: str, *, status: str = "won") -> Outcome:
        """The dispute ends `won` (or withdrawn), `lost`, or `warning_closed` (an inquiry)."""
        if status not in _CLOSED:
            raise ScenarioError(f"a dispute closes as one of {', '.join(_CLOSED)}, not {status}")
        dispute = self.state.require(dispute_id, "dispute")
        if dispute["status"] in _CLOSED:
            raise ScenarioError(f"dispute {dispute_id} is already {dispute['status']}")
        before = copy.deepcopy(dispute)
        dispute["status"] = status
        events: list[Obj] = []
        self.payments.emit(events, "charge.dispute.closed", dispute, previous=diff(before, dispute))
        charge = self.state.require(dispute["charge"], "charge")
        return Outcome(
            events=tuple(events),
            customer_id=charge["customer"],
            payment_intent_id=charge["payment_intent"],
            charge_id=charge["id"],
            dispute_id=dispute_id,
        )

    def _succeeded(self, charge_id: str) -> Obj:
        charge = self.state.require(charge_id, "charge")
        if charge["status"] != "succeeded":
            raise ScenarioError(f"charge {charge_id} is {charge['status']}, not succeeded")
        return charge
