"""Disputes → entitlements: what the disputed charge paid for loses access until it is won.

Stripe does not order events: a subscription's dispute may arrive before the subscription's
own events. So the charge is resolved through Stripe to what it paid for (its payment intent
→ invoice → subscription), the dispute is remembered, and subscription and checkout writes
refuse access while a dispute on that subscription or payment holds.
"""

from __future__ import annotations

from datetime import datetime

from bot.core.clock import Clock
from bot.core.text import t
from bot.services.billing.ledger import Ledger, Queued
from bot.services.billing.objects import (
    ChargeState,
    DisputeState,
    SubscriptionState,
    invoice_subscription,
    parse_charge,
    parse_subscription,
)
from bot.services.billing.stripe_api import StripeApi
from bot.services.billing.subscriptions import EntitlementWrite, SubscriptionWrites, newest, skip
from storage.billing import queries as billing
from storage.billing.models import Dispute, Entitlement
from storage.database import Database, Session

DISPUTED = "disputed"
# The status a disputed entitlement leaves once its dispute is won, before Stripe's state
# (re-read) decides access again.
DISPUTE_WON = "dispute_won"


class DisputeWrites:
    """Locks what a disputed charge paid for; gives it back when the dispute is won."""

    def __init__(
        self,
        db: Database,
        stripe_api: StripeApi,
        clock: Clock,
        ledger: Ledger,
        subscriptions: SubscriptionWrites,
    ) -> None:
        self._db = db
        self._stripe = stripe_api
        self._clock = clock
        self._ledger = ledger
        self._subscriptions = subscriptions

    async def opened(self, dispute: DisputeState, created: datetime) -> EntitlementWrite:
        """A dispute takes away what its charge paid for and alerts the moderators."""
        async with self._db.read() as session:
            known = await billing.dispute(session, dispute.id)
            by_payment = bool(
                dispute.payment_intent_id
                and await billing.entitlements_by(session, payment_id=dispute.payment_intent_id)
            )
        if known is not None and known.closed_at is not None:
            return skip(f"dispute {dispute.id} was already {known.status}")
        charge = await self._charge(dispute) if not by_payment else None
        payment_id = dispute.payment_intent_id or (charge.payment_intent_id if charge else None)
        subscription = None if by_payment else await self._paid_subscription(payment_id)

        async def write(session: Session, effects: Queued) -> str | None:
            record = await billing.dispute(session, dispute.id)
            if record is None:
                record = Dispute(id=dispute.id, status=dispute.status, opened_at=created)
            record.charge_id = dispute.charge_id
            record.payment_id = payment_id
            record.subscription_id = subscription.id if subscription else None
            record.customer_id = (charge.customer_id if charge else None) or (
                subscription.customer_id if subscription else None
            )
            session.add(record)
            rows = await self._rows(session, dispute, payment_id, charge, subscription)
            if not rows:
                return "no entitlement matches the disputed charge yet; the dispute is kept"
            for row in rows:
                await self._ledger.set_access(
                    session,
                    row,
                    active=False,
                    status=DISPUTED,
                    at=created,
                    reason="payment disputed",
                    effects=effects,
                )
                await self._ledger.alert_moderators(
                    session,
                    row.guild_id,
                    t(
                        "⚠️ A payment by <@{user_id}> for **{tier}** was disputed "
                        "({reason}, {amount}, dispute `{dispute_id}`). Their paid "
                        "role was removed; answer the dispute in the Stripe Dashboard. It comes "
                        "back by itself if the dispute is won, or with `/membership grant`.",
                        user_id=row.user_id,
                        tier=row.tier_key,
                        reason=dispute.reason,
                        amount=_money(dispute),
                        dispute_id=dispute.id,
                    ),
                    effects,
                )
            return None

        return write

    async def closed(self, dispute: DisputeState, created: datetime) -> EntitlementWrite:
        """A won (or withdrawn) dispute gives access back; a lost one keeps it away."""
        async with self._db.read() as session:
            known = await billing.dispute(session, dispute.id)
        released = dispute.status in billing.RELEASED_DISPUTE
        subscription: SubscriptionState | None = None
        if released and known is not None and known.subscription_id:
            obj = await self._stripe.retrieve_subscription(known.subscription_id)
            subscription = parse_subscription(obj) if obj is not None else None

        async def write(session: Session, effects: Queued) -> str | None:
            record = await billing.dispute(session, dispute.id)
            if record is None:  # closed before we heard it opened: nothing was taken away
                record = Dispute(
                    id=dispute.id,
                    charge_id=dispute.charge_id,
                    payment_id=dispute.payment_intent_id,
                    status=dispute.status,
                    opened_at=created,
                )
            record.status, record.closed_at = dispute.status, created
            session.add(record)
            rows = await self._locked_by(session, record)
            for row in rows:
                if released:
                    await self._release(session, effects, row, record, subscription, created)
                else:
                    await self._ledger.alert_moderators(
                        session,
                        row.guild_id,
                        t(
                            "The dispute `{dispute_id}` on <@{user_id}>'s payment for "
                            "**{tier}** was {status}; their paid role stays "
                            "removed unless you use `/membership grant`.",
                            dispute_id=dispute.id,
                            user_id=row.user_id,
                            tier=row.tier_key,
                            status=dispute.status,
                        ),
                        effects,
                    )
            return None if rows else "no entitlement was locked by this dispute"

        return write

    async def _release(
        self,
        session: Session,
        effects: Queued,
        row: Entitlement,
        record: Dispute,
        subscription: SubscriptionState | None,
        at: datetime,
    ) -> None:
        holding = await billing.holding_disputes(
            session, subscription_id=row.stripe_subscription_id, payment_id=row.stripe_payment_id
        )
        if holding:
            return
        row.status = DISPUTE_WON
        if row.stripe_subscription_id is not None:
            if subscription is None or subscription.id != row.stripe_subscription_id:
                return  # resync reads Stripe again and decides
            write = self._subscriptions.write(
                subscription, version=self._clock.now(), since=at, authoritative=True
            )
            await write(session, effects)
        else:
            await self._ledger.set_access(
                session,
                row,
                active=True,
                status="active",
                at=at,
                reason="dispute won",
                effects=effects,
            )
        await self._ledger.alert_moderators(
            session,
            row.guild_id,
            t(
                "The dispute `{dispute_id}` on <@{user_id}>'s payment for **{tier}** "
                "was {status}: their access follows their payment again.",
                dispute_id=record.id,
                user_id=row.user_id,
                tier=row.tier_key,
                status=record.status,
            ),
            effects,
        )

    async def _charge(self, dispute: DisputeState) -> ChargeState | None:
        if not dispute.charge_id:
            return None
        obj = await self._stripe.retrieve_charge(dispute.charge_id)
        return parse_charge(obj) if obj is not None else None

    async def _paid_subscription(self, payment_id: str | None) -> SubscriptionState | None:
        """The subscription whose invoice this payment intent collected, if any."""
        if payment_id is None:
            return None
        invoice_id = await self._stripe.invoice_paid_by(payment_id)
        invoice = await self._stripe.retrieve_invoice(invoice_id) if invoice_id else None
        subscription_id = invoice_subscription(invoice)[0] if invoice is not None else None
        if subscription_id is None:
            return None
        obj = await self._stripe.retrieve_subscription(subscription_id)
        return parse_subscription(obj) if obj is not None else None

    async def _rows(
        self,
        session: Session,
        dispute: DisputeState,
        payment_id: str | None,
        charge: ChargeState | None,
        subscription: SubscriptionState | None,
    ) -> list[Entitlement]:
        rows = await billing.entitlements_by(session, payment_id=payment_id) if payment_id else []
        if not rows and subscription is not None:
            rows = await self._subscription_rows(session, subscription)
        if not rows and charge is not None and charge.customer_id:
            # Nothing ties the charge to one purchase: what the customer holds now goes.
            rows = await billing.entitlements_by(session, customer_id=charge.customer_id)
        if not rows and charge is not None and charge.member and charge.member.tier_key:
            row = await billing.entitlement(
                session, charge.member.guild_id, charge.member.user_id, charge.member.tier_key,
                "stripe",
            )  # fmt: skip
            if row is None:
                row = self._ledger.new_row(
                    charge.member.guild_id, charge.member.user_id, charge.member.tier_key,
                    "stripe", DISPUTED,
                )  # fmt: skip
            row.stripe_payment_id = charge.payment_intent_id or charge.id
            rows = [row]
        return [row for row in rows if row.status != DISPUTED or row.id is None]

    async def _subscription_rows(
        self, session: Session, subscription: SubscriptionState
    ) -> list[Entitlement]:
        rows = await billing.entitlements_by(session, subscription_id=subscription.id)
        current = newest(rows)
        if current is not None or subscription.member is None:
            return [current] if current is not None else []
        # The dispute overtook the subscription's own events: lock the tier it sells now.
        member = subscription.member
        tier = (
            await billing.tier_by_price(session, member.guild_id, subscription.price_id)
            if subscription.price_id
            else None
        )
        tier_key = tier.key if tier is not None else member.tier_key
        if tier_key is None:
            return []
        row = await billing.entitlement(
            session, member.guild_id, member.user_id, tier_key, "stripe"
        )
        if row is None:
            row = self._ledger.new_row(
                member.guild_id, member.user_id, tier_key, "stripe", DISPUTED
            )
        row.stripe_subscription_id = subscription.id
        row.stripe_customer_id = subscription.customer_id or row.stripe_customer_id
        return [row]

    async def _locked_by(self, session: Session, record: Dispute) -> list[Entitlement]:
        rows: list[Entitlement] = []
        if record.payment_id:
            rows += await billing.entitlements_by(session, payment_id=record.payment_id)
        if record.subscription_id:
            rows += await billing.entitlements_by(session, subscription_id=record.subscription_id)
        if not rows and record.customer_id:
            rows = await billing.entitlements_by(session, customer_id=record.customer_id)
        unique = {row.id: row for row in rows}
        return [row for row in unique.values() if row.status == DISPUTED]


def _money(dispute: DisputeState) -> str:
    if dispute.amount is None or dispute.currency is None:
        return t("amount unknown")
    return f"{dispute.amount / 100:.2f} {dispute.currency.upper()}"
