"""Subscription state → entitlement: from subscription, invoice and checkout events."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.core.clock import Clock
from bot.core.text import t
from bot.services.billing.ledger import Ledger, Price, Queued
from bot.services.billing.objects import (
    CheckoutState,
    MemberRef,
    SubscriptionState,
    invoice_subscription,
    parse_subscription,
)
from bot.services.billing.policy import LOCKED, TERMINAL, Previous, is_newer, subscription_access
from bot.services.billing.stripe_api import StripeApi
from storage.billing import queries as billing
from storage.billing.models import Entitlement
from storage.database import Database, Session

# One event's change to entitlements, run inside the transaction that marks the event done;
# it returns a note (why nothing changed) or None.
EntitlementWrite = Callable[[Session, Queued], Awaitable[str | None]]

# Status of a subscription's old tier after a plan change moved it to another tier.
SWITCHED = "switched"


def skip(note: str) -> EntitlementWrite:
    """A write that changes nothing and says why."""

    async def write(_session: Session, _effects: Queued) -> str | None:
        return note

    return write


@dataclass(frozen=True)
class Held:
    """The newest state we hold for a subscription."""

    version: datetime | None
    status: str


class SubscriptionWrites:
    """Decides, per event, whether to trust its payload or re-read Stripe, then writes."""

    def __init__(
        self,
        db: Database,
        stripe_api: StripeApi,
        clock: Clock,
        ledger: Ledger,
        *,
        grace: timedelta,
    ) -> None:
        self._db = db
        self._stripe = stripe_api
        self._clock = clock
        self._ledger = ledger
        self._grace = grace
        self._read_at: dict[str, float] = {}  # subscription id → loop time of our last read

    async def from_event(
        self, state: SubscriptionState, created: datetime, *, final: bool, arrived: float | None
    ) -> EntitlementWrite:
        """A `customer.subscription.*` event: its payload if newer (or final), else a re-read."""
        held = await self._held(state.id)
        if final or held is None or is_newer(created, held.version):
            return self.write(state, version=created, since=created)
        if held.status in TERMINAL:
            return skip("the subscription already ended")
        return await self._reread(state.id, held, created, state.member, arrived)

    async def from_invoice(
        self, invoice: dict[str, Any], created: datetime, arrived: float | None
    ) -> EntitlementWrite:
        """`invoice.paid` / `invoice.payment_failed`: re-read the invoice's subscription."""
        subscription_id, member = invoice_subscription(invoice)
        if subscription_id is None:
            return skip("an invoice without a subscription")
        return await self._reread_unless_settled(subscription_id, created, member, arrived)

    async def from_checkout(
        self, checkout: CheckoutState, created: datetime, arrived: float | None
    ) -> EntitlementWrite:
        """A subscription-mode checkout: re-read the subscription it created."""
        if checkout.subscription_id is None:
            return skip("a subscription checkout without a subscription")
        return await self._reread_unless_settled(
            checkout.subscription_id, created, checkout.member, arrived
        )

    async def _reread_unless_settled(
        self,
        subscription_id: str,
        created: datetime,
        member: MemberRef | None,
        arrived: float | None,
    ) -> EntitlementWrite:
        held = await self._held(subscription_id)
        if held is not None and held.status in TERMINAL:
            return skip("the subscription already ended")
        if held is not None and held.version is not None and held.version > created:
            return skip("older than the state held")
        return await self._reread(subscription_id, held, created, member, arrived)

    async def _held(self, subscription_id: str) -> Held | None:
        async with self._db.read() as session:
            rows = await billing.entitlements_by(session, subscription_id=subscription_id)
        row = newest(rows)
        return None if row is None else Held(row.state_created, row.status)

    async def _reread(
        self,
        subscription_id: str,
        held: Held | None,
        created: datetime,
        fallback: MemberRef | None,
        arrived: float | None,
    ) -> EntitlementWrite:
        loop_time = asyncio.get_running_loop().time()
        if arrived is not None and self._read_at.get(subscription_id, -1.0) >= arrived:
            # Stripe sent this event before we read the subscription (after it arrived),
            # so that read, already stored, includes whatever this event says.
            return skip("Stripe was read after this event arrived")
        self._remember_read(subscription_id, loop_time)
        obj = await self._stripe.retrieve_subscription(subscription_id)
        if obj is None:
            return skip(f"subscription {subscription_id} does not exist on Stripe")
        # `created` has whole seconds: a later event may carry the second of this read.
        now = self._clock.now()
        floor = now.replace(microsecond=0) - timedelta(seconds=1)
        known = [moment for moment in (held.version if held else None, created, floor) if moment]
        return self.write(
            parse_subscription(obj), version=max(known), since=min(created, now), fallback=fallback
        )

    def _remember_read(self, subscription_id: str, at: float) -> None:
        if len(self._read_at) > 10_000:
            self._read_at = {k: v for k, v in self._read_at.items() if v > at - 300}
        self._read_at[subscription_id] = at

    def write(
        self,
        state: SubscriptionState,
        *,
        version: datetime,
        since: datetime,
        fallback: MemberRef | None = None,
        authoritative: bool = False,
    ) -> EntitlementWrite:
        """Store what `state` means for access (`authoritative`: a reconcile's fresh read)."""

        async def run(session: Session, effects: Queued) -> str | None:
            return await self._store(
                session, effects, state, version, since, fallback, authoritative
            )

        return run

    async def _store(
        self,
        session: Session,
        effects: Queued,
        state: SubscriptionState,
        version: datetime,
        since: datetime,
        fallback: MemberRef | None,
        authoritative: bool,
    ) -> str | None:
        rows = await billing.entitlements_by(session, subscription_id=state.id)
        current = newest(rows)
        member = (
            MemberRef(current.guild_id, current.user_id, current.tier_key)
            if current is not None
            else state.member or fallback
        )
        if member is None:
            return "no member named in the subscription's metadata"
        tier_key = await _tier_key(session, state, member)
        if tier_key is None:
            return f"no tier sells price {state.price_id}"
        held = current.state_created if current is not None else None
        if not authoritative and current is not None and held is not None:
            if version < held:
                return "older than the state held"
            if version == held and current.status in TERMINAL and state.status not in TERMINAL:
                return "the subscription already ended"
        if locked := next((r for r in rows if r.status in LOCKED), None):
            return f"access was {locked.status}; only a moderator can grant it again"
        row = next((r for r in rows if r.tier_key == tier_key), None)
        if row is None:
            row = await billing.entitlement(
                session, member.guild_id, member.user_id, tier_key, "stripe"
            )
            if row is None:
                row = self._ledger.new_row(
                    member.guild_id, member.user_id, tier_key, "stripe", state.status
                )
            elif row.active and row.stripe_subscription_id not in (None, state.id):
                # Another subscription pays for this tier: this one's events (late, or
                # from one the member replaced) must not take its access over.
                return f"the member's access comes from {row.stripe_subscription_id}"
        if disputes := await billing.holding_disputes(session, subscription_id=state.id):
            # The dispute came first (Stripe does not order events): no access until it is won.
            row.stripe_subscription_id = state.id
            row.stripe_customer_id = state.customer_id or row.stripe_customer_id
            row.state_created = max(version, held) if held else version
            await self._ledger.set_access(
                session, row, active=False, status="disputed", at=since,
                reason=f"payment disputed ({disputes[0].id})", effects=effects,
            )  # fmt: skip
            return f"a dispute holds access ({disputes[0].id})"
        for other in rows:
            if other is not row:  # the plan changed: the old tier ends, the new one starts
                await self._ledger.set_access(
                    session,
                    other,
                    active=False,
                    status=SWITCHED,
                    at=since,
                    reason=f"plan changed to {tier_key}",
                    effects=effects,
                )
        same = row.stripe_subscription_id == state.id
        now = self._clock.now()
        previous = Previous(row.status, row.grace_until, row.past_due_notified_at) if same else None
        access = subscription_access(
            state, now=now, since=since, grace=self._grace, previous=previous
        )
        row.stripe_subscription_id = state.id
        row.stripe_customer_id = state.customer_id or row.stripe_customer_id
        row.current_period_end = state.current_period_end
        row.cancel_at_period_end = state.scheduled_end is not None
        row.ends_at = access.ends_at
        row.grace_until = access.grace_until
        row.state_created = max(version, held) if held else version
        if access.status != "past_due":
            row.past_due_notified_at = None
        if access.notify_past_due:
            row.past_due_notified_at = now
            await self._ledger.notify_member(
                session, row.guild_id, row.user_id, _past_due_text(row.tier_key, access), effects
            )
        await self._ledger.set_access(
            session,
            row,
            active=access.active,
            status=access.status,
            at=since,
            reason=f"Stripe subscription {state.status}",
            effects=effects,
            price=_price(state),
        )
        return None


def _price(state: SubscriptionState) -> Price | None:
    if state.amount is None:
        return None
    return Price(state.amount, state.currency, state.interval, state.interval_count)


def newest(rows: list[Entitlement]) -> Entitlement | None:
    """The row holding a subscription's newest state (its current tier after a plan change)."""
    if not rows:
        return None
    return max(rows, key=lambda row: (row.state_created is not None, row.state_created, row.active))


async def _tier_key(session: Session, state: SubscriptionState, member: MemberRef) -> str | None:
    """The price decides when a tier sells it (a plan change); else the tier named before."""
    if state.price_id is not None:
        tier = await billing.tier_by_price(session, member.guild_id, state.price_id)
        if tier is not None:
            return tier.key
    return member.tier_key


def _past_due_text(tier_key: str, access: Any) -> str:
    until = access.grace_until
    if access.active and until is not None:
        return t(
            "Your last payment for **{tier}** did not go through. You keep your **{tier}** "
            "role until {until} UTC; update your card with `/billing` and Stripe will retry.",
            tier=tier_key,
            until=format(until, "%Y-%m-%d %H:%M"),
        )
    return t(
        "Your last payment for **{tier}** did not go through. Your **{tier}** role is "
        "paused; update your card with `/billing` and Stripe will retry.",
        tier=tier_key,
    )
