"""The interaction log, the points ledger and stored weekly reports."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index
from sqlmodel import Field, SQLModel, UniqueConstraint

from storage.models._columns import optional_json, row_id, snowflake, utc_time


class Interaction(SQLModel, table=True):
    """One thing a member did. Never message content."""

    __tablename__ = "interactions"
    __table_args__ = (
        Index("ix_interactions_guild_at", "guild_id", "at"),
        # Natural key (e.g. "message:<id>") so replays and imports are not counted twice.
        Index("ux_interactions_source_key", "source_key", unique=True),
    )

    id: int | None = row_id()
    guild_id: int = snowflake()
    user_id: int = snowflake()
    kind: str
    channel_id: int | None = snowflake(nullable=True)
    ref: str | None = None
    at: datetime = utc_time()
    meta: dict[str, Any] | None = optional_json()
    source_key: str | None = None


class PointsEntry(SQLModel, table=True):
    """An append-only points movement; a balance is a sum."""

    __tablename__ = "points_ledger"
    __table_args__ = (Index("ix_points_guild_user", "guild_id", "user_id"),)

    id: int | None = row_id()
    guild_id: int = snowflake()
    user_id: int = snowflake()
    delta: int
    reason: str
    ref: str | None = None
    created_by: int = snowflake(default=0)  # 0 = the bot
    created_at: datetime = utc_time(index=True)


class Report(SQLModel, table=True):
    """One weekly report's numbers, kept for week-over-week deltas."""

    __tablename__ = "reports"
    __table_args__ = (UniqueConstraint("guild_id", "week"),)

    id: int | None = row_id()
    guild_id: int = snowflake()
    week: str  # ISO week, "2026-W47"
    numbers: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    created_at: datetime = utc_time()
    posted_at: datetime | None = utc_time(nullable=True)
    message_id: int | None = snowflake(nullable=True)
