"""What members told the moderators with /feedback send."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Text
from sqlmodel import Field, SQLModel

from storage.columns import row_id, snowflake, utc_time

TEXT_MAX = 1000


class Feedback(SQLModel, table=True):
    """One member's note to the moderators (the member wrote it for them to read)."""

    __tablename__ = "feedback"
    __table_args__ = (Index("ix_feedback_guild_created", "guild_id", "created_at"),)

    id: int | None = row_id()
    guild_id: int = snowflake()
    user_id: int = snowflake(index=True)
    text: str = Field(sa_type=Text)
    created_at: datetime = utc_time()
    posted_at: datetime | None = utc_time(nullable=True, index=True)
