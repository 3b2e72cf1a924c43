"""The points ledger (the points feature is not built yet)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import SQLModel

from storage.columns import row_id, snowflake, utc_time


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
