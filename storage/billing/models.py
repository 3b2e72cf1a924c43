"""Tiers, entitlements, disputes and verified Stripe events."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Index, Text
from sqlmodel import Field, SQLModel, UniqueConstraint
from sqlmodel.sql.sqltypes import AutoString

from storage.columns import row_id, snowflake, utc_time


class TierKind(StrEnum):
    """How a tier is paid for."""

    SUBSCRIPTION = "subscription"
    ONE_TIME = "one_time"


class EntitlementSource(StrEnum):
    """Where an entitlement comes from."""

    STRIPE = "stripe"
    MANUAL = "manual"
    TRIAL = "trial"


class Tier(SQLModel, table=True):
    """A paid tier: what it costs on Stripe and which Discord role it grants."""

    __tablename__ = "tiers"
    __table_args__ = (UniqueConstraint("guild_id", "key"),)

    id: int | None = row_id()
    guild_id: int = snowflake()
    key: str
    name: str
    stripe_price_id: str = Field(index=True)
    role_id: int = snowflake()
    kind: TierKind = Field(default=TierKind.SUBSCRIPTION, sa_type=AutoString)
    enabled: bool = True


class Entitlement(SQLModel, table=True):
    """Who holds which tier, why, and the Stripe state that decided it."""

    __tablename__ = "entitlements"
    __table_args__ = (
        UniqueConstraint("guild_id", "user_id", "tier_key", "source"),
        Index("ix_entitlements_subscription", "stripe_subscription_id"),
        Index("ix_entitlements_customer", "stripe_customer_id"),
        Index("ix_entitlements_payment", "stripe_payment_id"),
        Index("ix_entitlements_guild_active", "guild_id", "active"),
    )

    id: int | None = row_id()
    guild_id: int = snowflake()
    user_id: int = snowflake()
    tier_key: str
    source: EntitlementSource = Field(default=EntitlementSource.STRIPE, sa_type=AutoString)
    status: str  # Stripe status, or active / revoked / refunded / disputed for the others
    active: bool = False
    stripe_customer_id: str | None = None
    stripe_subscription_id: str | None = None
    stripe_payment_id: str | None = None  # payment intent or charge of a one-time purchase
    current_period_end: datetime | None = utc_time(nullable=True)
    cancel_at_period_end: bool = False
    grace_until: datetime | None = utc_time(nullable=True)
    past_due_notified_at: datetime | None = utc_time(nullable=True)
    # When access ends as scheduled: a manual grant's end date, or Stripe's cancel_at.
    ends_at: datetime | None = utc_time(nullable=True)
    # Stripe `created` of the event that decided this state; older events change nothing.
    state_created: datetime | None = utc_time(nullable=True)
    price_amount: int | None = None  # minor units, as Stripe sends them
    price_currency: str | None = None
    price_interval: str | None = None  # day | week | month | year; None for one-time
    price_interval_count: int | None = None
    granted_at: datetime | None = utc_time(nullable=True)
    revoked_at: datetime | None = utc_time(nullable=True)
    updated_at: datetime = utc_time()


class Dispute(SQLModel, table=True):
    """A dispute Stripe told us of, and what its charge paid for, so later events respect it."""

    __tablename__ = "disputes"

    id: str = Field(primary_key=True)  # Stripe's dp_...
    charge_id: str | None = None
    payment_id: str | None = Field(default=None, index=True)  # the disputed payment intent
    customer_id: str | None = Field(default=None, index=True)
    subscription_id: str | None = Field(default=None, index=True)
    status: str  # Stripe's dispute status
    opened_at: datetime = utc_time()
    closed_at: datetime | None = utc_time(nullable=True)


class StripeEvent(SQLModel, table=True):
    """A verified webhook event, stored before it is acted on."""

    __tablename__ = "stripe_events"

    id: str = Field(primary_key=True)
    type: str = Field(index=True)
    created: datetime = utc_time()
    livemode: bool = False
    payload: dict[str, Any] = Field(sa_type=JSON)
    received_at: datetime = utc_time()
    processed_at: datetime | None = utc_time(nullable=True, index=True)
    attempts: int = 0
    last_error: str | None = Field(default=None, sa_type=Text)
