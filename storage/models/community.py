"""Guilds, members and the moderators' audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import SQLModel, UniqueConstraint

from storage.models._columns import json_column, optional_json, row_id, snowflake, utc_time


class GuildSettings(SQLModel, table=True):
    """Per-guild channel and role ids, timezone and report schedule."""

    __tablename__ = "guild_settings"

    guild_id: int = snowflake(primary_key=True)
    timezone: str = "UTC"
    member_role_id: int = snowflake(default=0)
    moderator_role_id: int = snowflake(default=0)
    owner_role_id: int = snowflake(default=0)
    welcome_channel_id: int = snowflake(default=0)
    mod_log_channel_id: int = snowflake(default=0)
    owners_channel_id: int = snowflake(default=0)
    qa_channel_id: int = snowflake(default=0)
    report_weekday: str = "mon"
    report_hour: int = 9
    updated_at: datetime = utc_time()


class Member(SQLModel, table=True):
    """A person the bot has seen in a guild; a rejoin keeps the original row."""

    __tablename__ = "members"
    __table_args__ = (UniqueConstraint("guild_id", "user_id"),)

    id: int | None = row_id()
    guild_id: int = snowflake()
    user_id: int = snowflake()
    first_joined_at: datetime = utc_time()
    joined_at: datetime = utc_time()
    left_at: datetime | None = utc_time(nullable=True)
    in_guild: bool = True
    join_source: str = "live"  # live | import | first_message | roster
    onboarded_at: datetime | None = utc_time(nullable=True)
    interests: list[str] = json_column(default_factory=list)


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
