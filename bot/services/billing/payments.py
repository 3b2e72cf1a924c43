"""One-time purchases and refunds → entitlements."""

from __future__ import annotations

from datetime import datetime

from bot.core.clock import Clock
from bot.services.billing.ledger import Ledger, Price, Queued
from bot.services.billing.objects import (
    ChargeState,
    CheckoutState,
    MemberRef,
)
from bot.services.billing.stripe_api import StripeApi
from bot.services.billing.subscriptions import EntitlementWrite, skip
from storage.billing import queries as billing
from storage.billing.models import Entitlement
from storage.database import Database, Session


class PaymentWrites:
    """Grants for paid checkouts; revocations for full refunds."""

    def __init__(self, db: Database, stripe_api: StripeApi, clock: Clock, ledger: Ledger) -> None:
        self._db = db
        self._stripe = stripe_api
        self._clock = clock
        self._ledger = ledger

    async def from_checkout(self, checkout: CheckoutState, created: datetime) -> EntitlementWrite:
        """A payment-mode checkout: grant once the money is in (async payments settle later)."""
        # `no_payment_required`: a 100% promotion code left nothing to charge.
        if checkout.payment_status not in ("paid", "no_payment_required"):
            return skip(f"payment is {checkout.payment_status or 'unknown'}; waiting for it")
        member = checkout.member
        if member is None or member.tier_key is None:
            return skip("no member or tier named in the checkout's metadata")
        payment_id = checkout.payment_intent_id or checkout.id

        async def write(session: Session, effects: Queued) -> str | None:
            row = await self._row(session, member, member.tier_key or "", "active")
            if row.stripe_payment_id == payment_id and row.status in ("refunded", "disputed"):
                return f"this payment was {row.status} already"
            if disputes := await billing.holding_disputes(session, payment_id=payment_id):
                row.stripe_payment_id = payment_id
                row.state_created = created
                await self._ledger.set_access(
                    session, row, active=False, status="disputed", at=created,
                    reason=f"payment disputed ({disputes[0].id})", effects=effects,
                )  # fmt: skip
                return f"the payment is disputed ({disputes[0].id})"
            if (
                row.stripe_payment_id != payment_id
                and row.active
                and row.state_created is not None
                and row.state_created > created
            ):
                return "a newer purchase already grants this tier"
            row.stripe_payment_id = payment_id
            row.stripe_customer_id = checkout.customer_id or row.stripe_customer_id
            row.stripe_subscription_id = None
            row.current_period_end = row.ends_at = row.grace_until = None
            row.cancel_at_period_end = False
            row.state_created = created
            await self._ledger.set_access(
                session,
                row,
                active=True,
                status="active",
                at=created,
                reason="one-time purchase",
                effects=effects,
                price=Price(checkout.amount_total, checkout.currency),
            )
            return None

        return write

    async def refunded(self, charge: ChargeState, created: datetime) -> EntitlementWrite:
        """A full refund of a one-time purchase takes its access away."""
        if not charge.fully_refunded:
            return skip("a partial refund keeps access")

        async def write(session: Session, effects: Queued) -> str | None:
            rows = await self._rows_for_payment(session, charge)
            if not rows and charge.member is not None and charge.member.tier_key:
                # The refund overtook the checkout event: remember it so that one grants nothing.
                row = await self._row(session, charge.member, charge.member.tier_key, "refunded")
                row.stripe_payment_id = charge.payment_intent_id or charge.id
                row.state_created = created
                rows = [row]
            if not rows:
                return "no one-time purchase matches this charge"
            for row in rows:
                await self._ledger.set_access(
                    session,
                    row,
                    active=False,
                    status="refunded",
                    at=created,
                    reason="payment refunded",
                    effects=effects,
                )
            return None

        return write

    async def _rows_for_payment(self, session: Session, charge: ChargeState) -> list[Entitlement]:
        rows: list[Entitlement] = []
        for payment_id in (charge.payment_intent_id, charge.id):
            if payment_id:
                rows += await billing.entitlements_by(session, payment_id=payment_id)
        return [row for row in rows if row.stripe_subscription_id is None]

    async def _row(
        self, session: Session, member: MemberRef, tier_key: str, status: str
    ) -> Entitlement:
        row = await billing.entitlement(
            session, member.guild_id, member.user_id, tier_key, "stripe"
        )
        if row is None:
            row = self._ledger.new_row(member.guild_id, member.user_id, tier_key, "stripe", status)
        return row
