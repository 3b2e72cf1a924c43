"""Queries on tiers, entitlements, stored Stripe events, the role outbox and notices."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.billing.models import Dispute, Entitlement, StripeEvent, Tier, TierKind
from storage.interactions import Interaction

PAID_START = "paid_start"
PAID_END = "paid_end"

# ---------------------------------------------------------------- tiers


async def tiers(session: AsyncSession, guild_id: int, *, enabled_only: bool = True) -> list[Tier]:
    """The guild's tiers, by key."""
    query = select(Tier).where(Tier.guild_id == guild_id)
    if enabled_only:
        query = query.where(col(Tier.enabled).is_(True))
    return list((await session.exec(query.order_by(col(Tier.key)))).all())


async def tier(session: AsyncSession, guild_id: int, key: str) -> Tier | None:
    """One tier by key (enabled or not)."""
    result = await session.exec(select(Tier).where(Tier.guild_id == guild_id, Tier.key == key))
    return result.first()


async def tier_by_price(session: AsyncSession, guild_id: int, price_id: str) -> Tier | None:
    """The guild's tier sold at this Stripe price."""
    result = await session.exec(
        select(Tier).where(Tier.guild_id == guild_id, Tier.stripe_price_id == price_id)
    )
    return result.first()


async def upsert_tier(
    session: AsyncSession,
    guild_id: int,
    key: str,
    *,
    name: str,
    stripe_price_id: str,
    role_id: int,
    kind: str,
    enabled: bool = True,
) -> Tier:
    """Create or update a tier."""
    row = await tier(session, guild_id, key)
    if row is None:
        row = Tier(
            guild_id=guild_id,
            key=key,
            name=name,
            stripe_price_id=stripe_price_id,
            role_id=role_id,
            kind=TierKind(kind),
            enabled=enabled,
        )
    else:
        row.name, row.stripe_price_id, row.role_id = name, stripe_price_id, role_id
        row.kind, row.enabled = TierKind(kind), enabled
    session.add(row)
    await session.flush()
    return row


# ---------------------------------------------------------------- entitlements


async def entitlement(
    session: AsyncSession, guild_id: int, user_id: int, tier_key: str, source: str
) -> Entitlement | None:
    """The member's entitlement to a tier from one source."""
    result = await session.exec(
        select(Entitlement).where(
            Entitlement.guild_id == guild_id,
            Entitlement.user_id == user_id,
            Entitlement.tier_key == tier_key,
            Entitlement.source == source,
        )
    )
    return result.first()


async def entitlements_of_member(
    session: AsyncSession, guild_id: int, user_id: int
) -> list[Entitlement]:
    """Every entitlement the member holds or held in the guild."""
    result = await session.exec(
        select(Entitlement)
        .where(Entitlement.guild_id == guild_id, Entitlement.user_id == user_id)
        .order_by(col(Entitlement.tier_key), col(Entitlement.source))
    )
    return list(result.all())


async def entitlements_of_guild(session: AsyncSession, guild_id: int) -> list[Entitlement]:
    """Every entitlement in the guild, by member and tier."""
    result = await session.exec(
        select(Entitlement)
        .where(Entitlement.guild_id == guild_id)
        .order_by(col(Entitlement.user_id), col(Entitlement.tier_key), col(Entitlement.source))
    )
    return list(result.all())


async def entitlements_by(
    session: AsyncSession,
    *,
    subscription_id: str | None = None,
    payment_id: str | None = None,
    customer_id: str | None = None,
) -> list[Entitlement]:
    """Stripe entitlements linked to a subscription, a payment or a customer."""
    query = select(Entitlement).where(Entitlement.source == "stripe")
    if subscription_id is not None:
        query = query.where(Entitlement.stripe_subscription_id == subscription_id)
    if payment_id is not None:
        query = query.where(Entitlement.stripe_payment_id == payment_id)
    if customer_id is not None:
        query = query.where(Entitlement.stripe_customer_id == customer_id)
    return list((await session.exec(query.order_by(col(Entitlement.id)))).all())


# ---------------------------------------------------------------- disputes

# Stripe dispute statuses under which the payer keeps no access (`lost` included).
RELEASED_DISPUTE = frozenset({"won", "warning_closed"})


async def dispute(session: AsyncSession, dispute_id: str) -> Dispute | None:
    """A remembered dispute."""
    return await session.get(Dispute, dispute_id)


async def holding_disputes(
    session: AsyncSession,
    *,
    subscription_id: str | None = None,
    payment_id: str | None = None,
    customer_id: str | None = None,
) -> list[Dispute]:
    """Disputes not won nor withdrawn on any of the given subscription, payment or customer."""
    links = [
        column == value
        for column, value in (
            (col(Dispute.subscription_id), subscription_id),
            (col(Dispute.payment_id), payment_id),
            (col(Dispute.customer_id), customer_id),
        )
        if value is not None
    ]
    if not links:
        return []
    query = select(Dispute).where(or_(*links), col(Dispute.status).not_in(RELEASED_DISPUTE))
    return list((await session.exec(query.order_by(col(Dispute.opened_at)))).all())


async def customer_of_member(session: AsyncSession, guild_id: int, user_id: int) -> str | None:
    """The Stripe customer of the member's most recent purchase, if any."""
    result = await session.exec(
        select(Entitlement.stripe_customer_id)
        .where(
            Entitlement.guild_id == guild_id,
            Entitlement.user_id == user_id,
            col(Entitlement.stripe_customer_id).is_not(None),
        )
        .order_by(col(Entitlement.updated_at).desc())
    )
    return result.first()


async def active_role_ids(session: AsyncSession, guild_id: int, user_id: int) -> set[int]:
    """Role ids the member's active entitlements grant."""
    result = await session.exec(
        select(Tier.role_id)
        .join(
            Entitlement,
            and_(
                col(Entitlement.guild_id) == col(Tier.guild_id),
                col(Entitlement.tier_key) == col(Tier.key),
            ),
        )
        .where(
            Entitlement.guild_id == guild_id,
            Entitlement.user_id == user_id,
            col(Entitlement.active).is_(True),
            Tier.role_id != 0,
        )
    )
    return set(result.all())


async def due_for_revocation(session: AsyncSession, now: datetime) -> list[Entitlement]:
    """Active entitlements whose scheduled end or past_due grace has passed."""
    ended = and_(col(Entitlement.ends_at).is_not(None), col(Entitlement.ends_at) <= now)
    grace_over = and_(
        col(Entitlement.status) == "past_due",
        col(Entitlement.grace_until).is_not(None),
        col(Entitlement.grace_until) <= now,
    )
    result = await session.exec(
        select(Entitlement)
        .where(col(Entitlement.active).is_(True), or_(ended, grace_over))
        .order_by(col(Entitlement.id))
    )
    return list(result.all())


async def stripe_guild_entitlements(session: AsyncSession, guild_id: int) -> list[Entitlement]:
    """The guild's Stripe entitlements tied to a subscription."""
    result = await session.exec(
        select(Entitlement).where(
            Entitlement.guild_id == guild_id,
            Entitlement.source == "stripe",
            col(Entitlement.stripe_subscription_id).is_not(None),
        )
    )
    return list(result.all())


async def record_paid_change(
    session: AsyncSession, row: Entitlement, *, started: bool, at: datetime
) -> Interaction:
    """Log that the entitlement's access started or ended (stats read these rows)."""
    interaction = Interaction(
        guild_id=row.guild_id,
        user_id=row.user_id,
        kind=PAID_START if started else PAID_END,
        ref=row.tier_key,
        at=at,
        meta={
            "source": row.source,
            "amount": row.price_amount,
            "currency": row.price_currency,
            "interval": row.price_interval,
            "interval_count": row.price_interval_count,
        },
    )
    session.add(interaction)
    return interaction


# ---------------------------------------------------------------- stripe events


@dataclass(frozen=True)
class EventRow:
    """A verified webhook event to store."""

    id: str
    type: str
    created: datetime
    livemode: bool
    payload: dict[str, Any]
    received_at: datetime
    processed_at: datetime | None = None  # set for types nothing acts on


async def insert_events(session: AsyncSession, rows: Sequence[EventRow]) -> set[str]:
    """Insert events, skipping ids already stored; return the ids that were new."""
    if not rows:
        return set()
    values = [
        {
            "id": r.id,
            "type": r.type,
            "created": r.created,
            "livemode": r.livemode,
            "payload": r.payload,
            "received_at": r.received_at,
            "processed_at": r.processed_at,
            "attempts": 0,
        }
        for r in {r.id: r for r in rows}.values()
    ]
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        insert(StripeEvent)
        .values(values)
        .on_conflict_do_nothing(index_elements=["id"])
        .returning(col(StripeEvent.id))
    )
    result = await session.exec(statement)
    return {row[0] for row in result.all()}


async def event_for_update(session: AsyncSession, event_id: str) -> StripeEvent | None:
    """The stored event, locked for this transaction where the database can lock rows."""
    result = await session.exec(
        select(StripeEvent).where(StripeEvent.id == event_id).with_for_update()
    )
    return result.first()


async def get_event(session: AsyncSession, event_id: str) -> StripeEvent | None:
    """The stored event."""
    return await session.get(StripeEvent, event_id)


async def unprocessed_event_ids(
    session: AsyncSession, *, limit: int, exclude: Iterable[str] = ()
) -> list[str]:
    """Ids of stored events not applied yet, oldest first."""
    query = select(StripeEvent.id).where(col(StripeEvent.processed_at).is_(None))
    excluded = list(exclude)
    if excluded:
        query = query.where(col(StripeEvent.id).not_in(excluded))
    result = await session.exec(
        query.order_by(col(StripeEvent.created), col(StripeEvent.received_at)).limit(limit)
    )
    return list(result.all())


async def record_event_failure(session: AsyncSession, event_id: str, error: str) -> None:
    """Count a failed attempt to apply an event."""
    await session.exec(
        update(StripeEvent)
        .where(col(StripeEvent.id) == event_id)
        .values(attempts=col(StripeEvent.attempts) + 1, last_error=error[:2000])
    )


async def count_events(session: AsyncSession, *, unprocessed: bool = False) -> int:
    """How many events are stored (or still unprocessed)."""
    query = select(func.count()).select_from(StripeEvent)
    if unprocessed:
        query = query.where(col(StripeEvent.processed_at).is_(None))
    return int((await session.exec(query)).one())
