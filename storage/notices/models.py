"""Messages queued for members (DMs) and moderators (their log channel)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, Text
from sqlmodel import Field, SQLModel
from sqlmodel.sql.sqltypes import AutoString

from storage.columns import row_id, snowflake, utc_time


class NoticeTarget(StrEnum):
    """Who a notice goes to."""

    DM = "dm"
    MOD_LOG = "mod_log"


class NoticeStatus(StrEnum):
    """Whether a notice was sent."""

    PENDING = "pending"
    DONE = "done"


class BillingNotice(SQLModel, table=True):
    """An outbox row: a DM to a member or a post to the moderators' log, sent until done."""

    __tablename__ = "billing_notices"
    __table_args__ = (Index("ix_billing_notices_status", "status"),)

    id: int | None = row_id()
    guild_id: int = snowflake()
    user_id: int | None = snowflake(nullable=True)
    target: NoticeTarget = Field(sa_type=AutoString)
    text: str = Field(sa_type=Text)
    status: NoticeStatus = Field(default=NoticeStatus.PENDING, sa_type=AutoString)
    attempts: int = 0
    last_error: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = utc_time()
    sent_at: datetime | None = utc_time(nullable=True)
