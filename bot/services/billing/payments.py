"""One-time purchases, refunds and disputes → entitlements."""

from __future__ import annotations

from datetime import datetime

from bot.clock import Clock
from bot.services.billing.gateway import StripeGateway
from bot.services.billing.ledger import Effects, Ledger, Price
from bot.services.billing.objects import (
    ChargeState,
    CheckoutState,
    DisputeState,
    MemberRef,
    parse_charge,
)
from bot.services.billing.subscriptions import Write, skip
from storage import billing
from storage.database import Database, Session
from storage.models import Entitlement


class PaymentWrites:
    """Grants for paid checkouts; revocations for full refunds and disputes."""

    def __init__(self, db: Database, gateway: StripeGateway, clock: Clock, ledger: Ledger) -> None:
        self._db = db
        self._gateway = gateway
        self._clock = clock
        self._ledger = ledger

    async def from_checkout(self, checkout: CheckoutState, created: datetime) -> Write:
        """A payment-mode checkout: grant once the money is in (async payments settle later)."""
        # `no_payment_required`: a 100% promotion code left nothing to charge.
        if checkout.payment_status not in ("paid", "no_payment_required"):
            return skip(f"payment is {checkout.payment_status or 'unknown'}; waiting for it")
        member = checkout.member
        if member is None or member.tier_key is None:
            return skip("no member or tier named in the checkout's metadata")
        payment_id = checkout.payment_intent_id or checkout.id

        async def write(session: Session, effects: Effects) -> str | None:
            row = await self._row(session, member, member.tier_key or "", "active")
            if row.stripe_payment_id == payment_id and row.status in ("refunded", "disputed"):
                return f"this payment was {row.status} already"
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

    async def refunded(self, charge: ChargeState, created: datetime) -> Write:
        """A full refund of a one-time purchase takes its access away."""
        if not charge.fully_refunded:
            return skip("a partial refund keeps access")

        async def write(session: Session, effects: Effects) -> str | None:
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

    async def disputed(self, dispute: DisputeState, created: datetime) -> Write:
        """A dispute takes access away (any tier the payer holds) and alerts the moderators."""
        charge: ChargeState | None = None
        async with self._db.read() as session:
            found = bool(
                dispute.payment_intent_id
                and await billing.entitlements_by(session, payment_id=dispute.payment_intent_id)
            )
        if not found and dispute.charge_id:
            obj = await self._gateway.retrieve_charge(dispute.charge_id)
            charge = parse_charge(obj) if obj is not None else None

        async def write(session: Session, effects: Effects) -> str | None:
            rows = await self._rows_for_dispute(session, dispute, charge)
            if not rows:
                return "no entitlement matches the disputed charge"
            for row in rows:
                await self._ledger.set_access(
                    session,
                    row,
                    active=False,
                    status="disputed",
                    at=created,
                    reason="payment disputed",
                    effects=effects,
                )
                amount = _money(dispute.amount, dispute.currency)
                await self._ledger.alert_moderators(
                    session,
                    row.guild_id,
                    f"⚠️ A payment by <@{row.user_id}> for **{row.tier_key}** was disputed "
                    f"({dispute.reason}, {amount}, dispute `{dispute.id}`). Their paid role was "
                    "removed; answer the dispute in the Stripe Dashboard, and use "
                    "`/membership grant` if access should come back.",
                    effects,
                )
            return None

        return write

    async def _rows_for_payment(self, session: Session, charge: ChargeState) -> list[Entitlement]:
        rows: list[Entitlement] = []
        for payment_id in (charge.payment_intent_id, charge.id):
            if payment_id:
                rows += await billing.entitlements_by(session, payment_id=payment_id)
        return [row for row in rows if row.stripe_subscription_id is None]

    async def _rows_for_dispute(
        self, session: Session, dispute: DisputeState, charge: ChargeState | None
    ) -> list[Entitlement]:
        rows: list[Entitlement] = []
        for payment_id in (dispute.payment_intent_id, charge.payment_intent_id if charge else None):
            if payment_id and not rows:
                rows = await billing.entitlements_by(session, payment_id=payment_id)
        if not rows and charge is not None and charge.customer_id:
            rows = await billing.entitlements_by(session, customer_id=charge.customer_id)
        if not rows and charge is not None and charge.member and charge.member.tier_key:
            row = await self._row(session, charge.member, charge.member.tier_key, "disputed")
            row.stripe_payment_id = charge.payment_intent_id or charge.id
            rows = [row]
        return [row for row in rows if row.status != "disputed" or row.id is None]

    async def _row(
        self, session: Session, member: MemberRef, tier_key: str, status: str
    ) -> Entitlement:
        row = await billing.entitlement(
            session, member.guild_id, member.user_id, tier_key, "stripe"
        )
        if row is None:
            row = self._ledger.new_row(member.guild_id, member.user_id, tier_key, "stripe", status)
        return row


def _money(amount: int | None, currency: str | None) -> str:
    if amount is None or currency is None:
        return "amount unknown"
    return f"{amount / 100:.2f} {currency.upper()}"
