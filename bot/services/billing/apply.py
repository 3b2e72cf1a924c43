"""Applying stored Stripe events: newest state wins, one transaction per event.

Each event is applied in two steps. `prepare` reads what we hold and, when the event
cannot be trusted to be the newest word (older than or as old as our state, or a type
that carries no subscription state), re-reads the subscription from Stripe — outside
any transaction. `write` then stores the entitlement, its role changes and notices and
marks the event processed, all in one transaction that re-checks the event is unprocessed.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.core.clock import Clock
from bot.core.text import t
from bot.services.billing.disputes import DisputeWrites
from bot.services.billing.ledger import Ledger, Queued
from bot.services.billing.objects import (
    InvalidPayload,
    parse_charge,
    parse_checkout,
    parse_dispute,
    parse_subscription,
)
from bot.services.billing.payments import PaymentWrites
from bot.services.billing.stripe_api import StripeApi
from bot.services.billing.subscriptions import EntitlementWrite, SubscriptionWrites, skip
from storage.billing import queries as billing
from storage.billing.queries import EventRow
from storage.database import Database

log = logging.getLogger(__name__)


SUBSCRIPTION_EVENTS = frozenset(
    {
        "customer.subscription.created",
        "customer.subscription.updated",
        "customer.subscription.deleted",
        "customer.subscription.paused",
        "customer.subscription.resumed",
    }
)
INVOICE_EVENTS = frozenset({"invoice.paid", "invoice.payment_failed"})
CHECKOUT_EVENTS = frozenset(
    {"checkout.session.completed", "checkout.session.async_payment_succeeded"}
)
HANDLED_EVENTS = (
    SUBSCRIPTION_EVENTS
    | INVOICE_EVENTS
    | CHECKOUT_EVENTS
    | {
        "charge.refunded",
        "charge.dispute.created",
        "charge.dispute.closed",
    }
)


@dataclass(frozen=True)
class StoredEvent:
    """A verified event as stored: its id, type, Stripe `created` time and object."""

    id: str
    type: str
    created: datetime
    obj: dict[str, Any]


@dataclass(frozen=True)
class ApplyResult:
    """What applying one event did."""

    outcome: str  # applied | already | missing | set_aside
    note: str | None = None
    effects: Queued = field(default_factory=Queued)


def _field(obj: Any, *path: str) -> str:
    """The text at `path` in a payload of any shape ("" when it is not there or not text)."""
    for key in path:
        obj = obj.get(key) if isinstance(obj, dict) else None
    return obj if isinstance(obj, str) else ""


def routing_key(event_type: str, obj: dict[str, Any], event_id: str) -> str:
    """What events must not be applied concurrently with (same subscription or payment)."""
    if event_type in SUBSCRIPTION_EVENTS:
        return f"sub:{_field(obj, 'id')}"
    if event_type in INVOICE_EVENTS:
        return f"sub:{_field(obj, 'parent', 'subscription_details', 'subscription')}"
    if event_type in CHECKOUT_EVENTS:
        if _field(obj, "subscription"):
            return f"sub:{_field(obj, 'subscription')}"
        return f"pay:{_field(obj, 'payment_intent')}"
    if event_type.startswith("charge."):
        payment = _field(obj, "payment_intent") or _field(obj, "charge") or _field(obj, "id")
        return f"pay:{payment}"
    return f"event:{event_id}"


class EventApplier:
    """Turns one stored event into entitlement changes."""

    def __init__(
        self, db: Database, stripe_api: StripeApi, clock: Clock, *, grace: timedelta
    ) -> None:
        self._db = db
        self._clock = clock
        self._ledger = Ledger(clock)
        self._subscriptions = SubscriptionWrites(db, stripe_api, clock, self._ledger, grace=grace)
        self._payments = PaymentWrites(db, stripe_api, clock, self._ledger)
        self._disputes = DisputeWrites(db, stripe_api, clock, self._ledger, self._subscriptions)
        self._locks = KeyedLocks()
        self.applied: Counter[str] = Counter()

    async def apply(
        self, event_id: str, row: EventRow | None = None, arrived: float | None = None
    ) -> ApplyResult:
        """Apply one stored event unless it was applied already.

        `row` is the event as just stored and `arrived` the loop time it came in, when the
        receiver in this process handed it over.
        """
        if row is None:
            async with self._db.read() as session:
                stored = await billing.get_event(session, event_id)
                if stored is None:
                    return ApplyResult("missing")
                if stored.processed_at is not None:
                    return ApplyResult("already")
                row = EventRow(
                    stored.id,
                    stored.type,
                    stored.created,
                    stored.livemode,
                    stored.payload,
                    stored.received_at,
                )
        data = row.payload.get("data") if isinstance(row.payload, dict) else None
        obj = data.get("object") if isinstance(data, dict) else None
        event = StoredEvent(row.id, row.type, row.created, obj if isinstance(obj, dict) else {})
        async with self._locks.hold(routing_key(event.type, event.obj, event.id)):
            return await self._apply(event, arrived)

    async def _apply(self, event: StoredEvent, arrived: float | None) -> ApplyResult:
        try:
            write = await self._prepare(event, arrived)
        except InvalidPayload as error:
            return await self.set_aside(event.id, f"invalid payload: {error}")
        effects = Queued()
        async with self._db.transaction() as session:
            locked = await billing.event_for_update(session, event.id)
            if locked is None or locked.processed_at is not None:
                return ApplyResult("already")
            note = await write(session, effects)
            locked.processed_at = self._clock.now()
            locked.attempts += 1
            locked.last_error = None
            session.add(locked)
        self.applied[event.id] += 1
        if note:
            log.info("event %s (%s): %s", event.id, event.type, note)
        return ApplyResult("applied", note, effects)

    async def set_aside(self, event_id: str, reason: str) -> ApplyResult:
        """Stop trying a stored event: mark it done with the reason; tell its guild's moderators."""
        effects = Queued()
        async with self._db.transaction() as session:
            locked = await billing.event_for_update(session, event_id)
            if locked is None or locked.processed_at is not None:
                return ApplyResult("already")
            locked.processed_at = self._clock.now()
            locked.attempts += 1
            locked.last_error = f"set aside: {reason}"[:2000]
            session.add(locked)
            guild_id = named_guild(locked.payload)
            if guild_id is not None and await billing.tiers(session, guild_id, enabled_only=False):
                text = t(
                    "A Stripe event (`{event_id}`, {event_type}) could not be applied and was "
                    "set aside: {reason}. Access stays as it was; check the event "
                    "in the Stripe dashboard (the nightly reconcile re-reads subscriptions).",
                    event_id=event_id,
                    event_type=locked.type,
                    reason=clip(reason, 300),
                )
                await self._ledger.alert_moderators(session, guild_id, text, effects)
            event_type = locked.type
        log.error("Stripe event %s (%s) set aside: %s", event_id, event_type, reason)
        return ApplyResult("set_aside", reason, effects)

    async def _prepare(self, event: StoredEvent, arrived: float | None) -> EntitlementWrite:
        kind, obj, created = event.type, event.obj, event.created
        if kind in SUBSCRIPTION_EVENTS:
            state = parse_subscription(obj)
            return await self._subscriptions.from_event(
                state, created, final=kind == "customer.subscription.deleted", arrived=arrived
            )
        if kind in INVOICE_EVENTS:
            return await self._subscriptions.from_invoice(obj, created, arrived)
        if kind in CHECKOUT_EVENTS:
            checkout = parse_checkout(obj)
            if checkout.mode == "subscription":
                return await self._subscriptions.from_checkout(checkout, created, arrived)
            return await self._payments.from_checkout(checkout, created)
        if kind == "charge.refunded":
            return await self._payments.refunded(parse_charge(obj), created)
        if kind == "charge.dispute.created":
            return await self._disputes.opened(parse_dispute(obj), created)
        if kind == "charge.dispute.closed":
            return await self._disputes.closed(parse_dispute(obj), created)
        return skip("")


def clip(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, marked when cut."""
    return text if len(text) <= limit else f"{text[: limit - 3]}..."


def named_guild(payload: Any) -> int | None:
    """The guild an event's object names in our metadata, read leniently (None if none)."""
    data = payload.get("data") if isinstance(payload, dict) else None
    obj = data.get("object") if isinstance(data, dict) else None
    for candidate in (
        _field(obj, "metadata", "guild_id"),
        _field(obj, "parent", "subscription_details", "metadata", "guild_id"),
        _field(obj, "client_reference_id").partition(":")[0],
    ):
        if 0 < len(candidate) <= 19 and candidate.isascii() and candidate.isdigit():
            guild_id = int(candidate)
            if 0 < guild_id < 2**63:
                return guild_id
    return None


class KeyedLocks:
    """An asyncio lock per key, forgotten when nobody holds or waits for it."""

    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        """Hold the key's lock for the block."""
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users == 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)
