"""The content library, its scheduled drops, and each member's drip unlocks."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Text
from sqlmodel import Field, SQLModel, UniqueConstraint

from storage.columns import json_column, row_id, snowflake, utc_time


class ContentItem(SQLModel, table=True):
    """A piece of the library: free, for a tier, or from a points level; maybe dripped."""

    __tablename__ = "content_items"

    id: int | None = row_id()
    guild_id: int = snowflake(index=True)
    title: str
    summary: str = ""
    body: str = Field(default="", sa_type=Text)
    link: str | None = None
    access: str = "free"  # free | tier | level
    tier_key: str | None = None  # access == "tier"
    level: int | None = None  # access == "level"
    tags: list[str] = json_column(default_factory=list)
    kind: str = "post"  # post | event (a live session)
    status: str = "published"  # published | pending (submitted) | rejected
    review_reason: str = ""
    reviewed_by: int | None = snowflake(nullable=True)
    # Drip: unlocked `drip_days` after the member's join (or paid start); a date wins.
    drip_days: int | None = None
    drip_from: str = "join"  # join | paid
    unlock_at: datetime | None = utc_time(nullable=True)
    # Lower-case title, summary and tags: what search reads (PostgreSQL full-text).
    search_text: str = Field(default="", sa_type=Text)
    created_by: int = snowflake()
    created_at: datetime = utc_time()
    updated_at: datetime | None = utc_time(nullable=True)
    removed_at: datetime | None = utc_time(nullable=True)  # soft delete


class Drop(SQLModel, table=True):
    """One scheduled post of a content item: the truth the timer is rebuilt from.

    A repeating drop is a series: each occurrence is its own row (`series_id` = the first
    row's id), created when the one before it posts, so each row is posted at most once.
    """

    __tablename__ = "drops"
    __table_args__ = (Index("ix_drops_status_due_at", "status", "due_at"),)

    id: int | None = row_id()
    guild_id: int = snowflake(index=True)
    content_id: int = Field(foreign_key="content_items.id", index=True)
    channel_id: int = snowflake()
    scheduled_at: datetime = utc_time(index=True)
    # When the timer should act next: scheduled_at, then each retry's back-off.
    due_at: datetime = utc_time()
    repeat: str = "none"  # none | daily | weekly | cron:<expression>
    timezone: str = "UTC"
    series_id: int | None = None
    # scheduled | posting (a post may be out) | posted | missed | failed | canceled
    status: str = "scheduled"
    nonce: str = Field(default="", unique=True)
    attempts: int = 0
    posted_at: datetime | None = utc_time(nullable=True)
    message_id: int | None = snowflake(nullable=True)
    thread_id: int | None = snowflake(nullable=True)
    event_id: int | None = snowflake(nullable=True)  # a live session's scheduled event
    location: str | None = None  # a live session at an external place (no voice channel)
    reminded_at: datetime | None = utc_time(nullable=True)  # its reminder went out
    last_error: str | None = None
    created_by: int = snowflake()
    created_at: datetime = utc_time()


class DripUnlock(SQLModel, table=True):
    """A dripped item a member has been told about (once)."""

    __tablename__ = "drop_unlocks"
    __table_args__ = (UniqueConstraint("guild_id", "user_id", "content_id"),)

    id: int | None = row_id()
    guild_id: int = snowflake()
    user_id: int = snowflake()
    content_id: int = Field(foreign_key="content_items.id")
    unlocked_at: datetime = utc_time()
    notified: bool = False


class DropMember(SQLModel, table=True):
    """When a member joined and first started paying, as drip counts from them."""

    __tablename__ = "drop_members"
    __table_args__ = (UniqueConstraint("guild_id", "user_id"),)

    id: int | None = row_id()
    guild_id: int = snowflake()
    user_id: int = snowflake()
    joined_at: datetime | None = utc_time(nullable=True)
    paid_since: datetime | None = utc_time(nullable=True)
