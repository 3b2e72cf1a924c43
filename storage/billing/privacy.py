"""Billing's personal data. Entitlements are records of money: they are exported, and kept
after a deletion under the pseudonym (the Stripe customer, subscription and payment ids
with them, as accounting law requires); the webhook payloads that named the member
(emails, names, addresses in Stripe's objects) are cut down to the object's Stripe id.
The role outbox's rows are the roles feature's."""

from __future__ import annotations

from typing import Any

from sqlalchemy import String, cast, or_, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.billing.models import Entitlement, StripeEvent
from storage.privacy import Erasure, pseudonymise_rows, rewrite_mentions, rows_of, table_of
from storage.stats.sql import execute

TABLES = ("entitlements",)
KEPT = {
    "entitlements": "Payment records: the tier, status, amounts, dates and the Stripe "
    "customer, subscription and payment ids are kept, under a pseudonym instead of your "
    "Discord id, because tax and accounting law require payment records to be kept.",
    "stripe_events": "Stripe's webhook events about your payments are kept as the event id, "
    "type, time and the Stripe object's id; the rest of their content is erased.",
}


async def export_member(session: AsyncSession, guild_id: int, user_id: int) -> dict[str, Any]:
    """Entitlements with their Stripe ids and statuses."""
    return {"entitlements": await rows_of(session, Entitlement, guild_id, user_id)}


async def forget_member(session: AsyncSession, erasure: Erasure) -> int:
    """Keep the payment records under the pseudonym; cut the events that name the member."""
    customers = await _customers(session, erasure)
    changed = await pseudonymise_rows(session, Entitlement, erasure)
    return changed + await _redact_events(session, erasure, customers)


async def _customers(session: AsyncSession, erasure: Erasure) -> set[str]:
    e = table_of(Entitlement)
    result = await execute(
        session,
        select(e.c.stripe_customer_id).where(
            e.c.guild_id == erasure.guild_id,
            e.c.user_id == erasure.user_id,
            e.c.stripe_customer_id.is_not(None),
        ),
    )
    return {str(c) for c in result.scalars().all()}


async def _redact_events(session: AsyncSession, erasure: Erasure, customers: set[str]) -> int:
    """Processed events naming the member (or their Stripe customer) keep only ids; one not
    yet processed names the pseudonym instead, so acting on it cannot bring the id back."""
    events = table_of(StripeEvent)
    payload = cast(events.c.payload, String)
    needles = [str(erasure.user_id), *sorted(customers)]
    result = await execute(
        session,
        select(events.c.id, events.c.payload).where(
            events.c.processed_at.is_not(None),
            or_(*(payload.like(f"%{needle}%") for needle in needles)),
        ),
    )
    changed = 0
    for event_id, body in result.all():
        await execute(
            session,
            update(events).where(events.c.id == event_id).values(payload=_skeleton(body)),
        )
        changed += 1
    return changed + await rewrite_mentions(
        session, StripeEvent, "payload", erasure, guild_scoped=False
    )


def _skeleton(body: Any) -> dict[str, Any]:
    """What a redacted event keeps: its id, type, time and the Stripe object's id."""
    body = body if isinstance(body, dict) else {}
    data = body.get("data")
    obj = data.get("object") if isinstance(data, dict) else None
    return {
        "id": body.get("id"),
        "type": body.get("type"),
        "created": body.get("created"),
        "data": {"object": {"id": obj.get("id") if isinstance(obj, dict) else None}},
        "redacted": "privacy",
    }
