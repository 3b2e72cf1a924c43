"""Messages queued for members (DMs) and moderators (their log channel)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Text
from sqlmodel import Field, SQLModel

from storage.columns import row_id, snowflake, utc_time


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
