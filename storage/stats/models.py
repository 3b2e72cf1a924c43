"""Rollups of the interaction log, so a weekly report reads one week, not all history.

Days and weeks are local to the guild's time zone (`StatsGuildState.timezone`); instants
are aware UTC. Every rollup is recomputed from the log for the days it covers, so a
refresh is idempotent and late or imported rows only cost the days they touch.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, Index
from sqlmodel import Field, SQLModel, UniqueConstraint

from storage.columns import optional_json, row_id, snowflake, utc_time
from storage.types import RowId, UTCDateTime


class StatsCursor(SQLModel, table=True):
    """How far the rollups have read the interaction log (one row, id 1)."""

    __tablename__ = "stats_cursor"

    id: int = Field(default=1, primary_key=True)
    last_interaction_id: int = 0
    # Rows with ids in (last - lookback, last] when last read: a change means a row
    # committed late below the cursor (possible on PostgreSQL), so that window is re-read.
    window_rows: int = 0
    refreshed_at: datetime | None = utc_time(nullable=True)


class StatsGuildState(SQLModel, table=True):
    """The time zone a guild's day and week rollups were built in."""

    __tablename__ = "stats_guild_state"

    guild_id: int = snowflake(primary_key=True)
    timezone: str = "UTC"


class StatsEvent(SQLModel, table=True):
    """A copy of each membership and billing event (join, leave, paid_start, paid_end),
    so spans are rebuilt from a small table instead of the whole log."""

    __tablename__ = "stats_events"
    __table_args__ = (Index("ix_stats_events_user", "guild_id", "user_id"),)

    interaction_id: int = Field(
        primary_key=True, sa_type=RowId, sa_column_kwargs={"autoincrement": False}
    )
    guild_id: int = snowflake()
    user_id: int = snowflake()
    kind: str
    ref: str | None = None
    at: datetime = utc_time()
    meta: dict[str, Any] | None = optional_json()


class StatsMemberDay(SQLModel, table=True):
    """One member's active-kind interactions on one local day (only days with some)."""

    __tablename__ = "stats_member_days"

    guild_id: int = snowflake(primary_key=True)
    day: date = Field(primary_key=True, sa_type=Date)
    user_id: int = snowflake(primary_key=True)
    interactions: int
    communications: int  # message, reply, answer


class StatsMemberWeek(SQLModel, table=True):
    """One member's active-kind interactions in one local ISO week (keyed by its Monday)."""

    __tablename__ = "stats_member_weeks"
    __table_args__ = (Index("ix_stats_member_weeks_user", "guild_id", "user_id", "week"),)

    guild_id: int = snowflake(primary_key=True)
    week: date = Field(primary_key=True, sa_type=Date)
    user_id: int = snowflake(primary_key=True)
    interactions: int
    communications: int


class StatsGuildDay(SQLModel, table=True):
    """A guild's totals for one local day."""

    __tablename__ = "stats_guild_days"

    guild_id: int = snowflake(primary_key=True)
    day: date = Field(primary_key=True, sa_type=Date)
    active_members: int = 0
    interactions: int = 0
    communicators: int = 0
    joins: int = 0  # membership spans starting this day
    leaves: int = 0  # membership spans ending this day


class StatsMemberFirst(SQLModel, table=True):
    """A member's first join: the earliest sign of them in the guild."""

    __tablename__ = "stats_member_first"
    __table_args__ = (Index("ix_stats_member_first_at", "guild_id", "first_at"),)

    guild_id: int = snowflake(primary_key=True)
    user_id: int = snowflake(primary_key=True)
    first_at: datetime = utc_time()


class StatsMemberSpan(SQLModel, table=True):
    """One stretch of membership: joined_at (inclusive) to left_at (exclusive, or still in)."""

    __tablename__ = "stats_member_spans"
    __table_args__ = (
        Index("ix_stats_member_spans_joined", "guild_id", "joined_at"),
        Index("ix_stats_member_spans_left", "guild_id", "left_at"),
    )

    guild_id: int = snowflake(primary_key=True)
    user_id: int = snowflake(primary_key=True)
    joined_at: datetime = Field(primary_key=True, sa_type=UTCDateTime)
    left_at: datetime | None = utc_time(nullable=True)


class StatsPaidSpan(SQLModel, table=True):
    """One stretch of paying for a tier, with its monthly-normalised price."""

    __tablename__ = "stats_paid_spans"
    __table_args__ = (Index("ix_stats_paid_spans_ended", "guild_id", "ended_at"),)

    guild_id: int = snowflake(primary_key=True)
    user_id: int = snowflake(primary_key=True)
    tier_key: str = Field(primary_key=True)
    started_at: datetime = Field(primary_key=True, sa_type=UTCDateTime)
    ended_at: datetime | None = utc_time(nullable=True)
    # Minor units per month (one-time purchases: 0); None when the price is unknown.
    monthly_amount: float | None = None
    currency: str | None = None


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


class StatsRetention(SQLModel, table=True):
    """How far back a guild's raw log was purged (retention): days wholly before
    `closed_before` are never rebuilt from the log again; their rollups are what is left."""

    __tablename__ = "stats_retention"

    guild_id: int = snowflake(primary_key=True)
    closed_before: datetime = utc_time()
