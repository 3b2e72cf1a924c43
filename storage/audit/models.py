"""The audit trail: who did what to whom, for every feature."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import SQLModel

from storage.columns import optional_json, row_id, snowflake, utc_time


class AuditEntry(SQLModel, table=True):
    """One moderator (or system) action: who did what to whom."""

    __tablename__ = "audit_log"

    id: int | None = row_id()
    guild_id: int = snowflake(index=True)
    actor_id: int = snowflake()  # 0 = the bot itself
    action: str
    target_user_id: int | None = snowflake(nullable=True)
    details: dict[str, Any] | None = optional_json()
    created_at: datetime = utc_time(index=True)
    # When the entry reached the moderators' log channel (None: not yet).
    posted_at: datetime | None = utc_time(nullable=True, index=True)
