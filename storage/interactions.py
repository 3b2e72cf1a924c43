"""The interaction log's table: one row per thing a member did."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index
from sqlmodel import SQLModel

from storage.columns import optional_json, row_id, snowflake, utc_time


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
