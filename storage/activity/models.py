"""Members: who the bot has seen in a guild, and since when."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel, UniqueConstraint
from sqlmodel.sql.sqltypes import AutoString

from storage.columns import json_column, row_id, snowflake, utc_time


class JoinSource(StrEnum):
    """How the bot learnt a member joined."""

    LIVE = "live"  # a join event
    IMPORT = "import"  # imported history
    FIRST_MESSAGE = "first_message"  # history showed them talking before any join
    ROSTER = "roster"  # the member list at connect


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
    join_source: JoinSource = Field(default=JoinSource.LIVE, sa_type=AutoString)
    onboarded_at: datetime | None = utc_time(nullable=True)
    interests: list[str] = json_column(default_factory=list)
    # Where the first live join came from: an invite code (the vanity code included), or
    # "unknown" when invite counts could not tell; None when nobody tried (history, roster).
    source: str | None = Field(default=None, nullable=True, sa_type=AutoString)
