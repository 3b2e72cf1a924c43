"""Tiers, entitlements, verified Stripe events and the role-change outbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Text
from sqlmodel import Field, SQLModel, UniqueConstraint

from storage.models._columns import row_id, snowflake, utc_time


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
    kind: str = "subscription"  # subscription | one_time
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
    source: str = "stripe"  # stripe | manual | trial
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


class RoleChange(SQLModel, table=True):
    """An outbox row: a role to add or remove on Discord, retried until applied."""

    __tablename__ = "role_changes"
    __table_args__ = (Index("ix_role_changes_due", "status", "next_attempt_at"),)

    id: int | None = row_id()
    guild_id: int = snowflake()
    user_id: int = snowflake()
    role_id: int = snowflake()
    action: str  # add | remove
    reason: str = ""
    status: str = "pending"  # pending | waiting_member | done | superseded
    attempts: int = 0
    next_attempt_at: datetime = utc_time()
    last_error: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = utc_time()
    applied_at: datetime | None = utc_time(nullable=True)
    # When the moderators were told this change is stuck (50013), so they hear it once.
    reported_at: datetime | None = utc_time(nullable=True)


class ManagedRole(SQLModel, table=True):
    """A tier role the bot itself gave a member; only these may it take away."""

    __tablename__ = "managed_roles"
    __table_args__ = (UniqueConstraint("guild_id", "user_id", "role_id"),)

    id: int | None = row_id()
    guild_id: int = snowflake()
    user_id: int = snowflake()
    role_id: int = snowflake()
    since: datetime = utc_time()


class BillingNotice(SQLModel, table=True):
    """An outbox row: a DM to a member or a post to the moderators' log, sent until done."""

    __tablename__ = "billing_notices"
    __table_args__ = (Index("ix_billing_notices_status", "status"),)

    id: int | None = row_id()
    guild_id: int = snowflake()
    user_id: int | None = snowflake(nullable=True)
    target: str  # dm | mod_log
    text: str = Field(sa_type=Text)
    status: str = "pending"  # pending | done
    attempts: int = 0
    last_error: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = utc_time()
    sent_at: datetime | None = utc_time(nullable=True)
