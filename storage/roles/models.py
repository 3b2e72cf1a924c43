"""The role-change outbox and the roles the bot manages."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, Text
from sqlmodel import Field, SQLModel, UniqueConstraint
from sqlmodel.sql.sqltypes import AutoString

from storage.columns import row_id, snowflake, utc_time


class RoleAction(StrEnum):
    """What a role change does."""

    ADD = "add"
    REMOVE = "remove"


class ChangeStatus(StrEnum):
    """Where a role change is."""

    PENDING = "pending"
    WAITING_MEMBER = "waiting_member"  # the member is away; applies when they join
    DONE = "done"
    SUPERSEDED = "superseded"  # a newer change of the same role replaced it


class RoleChange(SQLModel, table=True):
    """An outbox row: a role to add or remove on Discord, retried until applied."""

    __tablename__ = "role_changes"
    __table_args__ = (Index("ix_role_changes_due", "status", "next_attempt_at"),)

    id: int | None = row_id()
    guild_id: int = snowflake()
    user_id: int = snowflake()
    role_id: int = snowflake()
    action: RoleAction = Field(sa_type=AutoString)
    reason: str = ""
    status: ChangeStatus = Field(default=ChangeStatus.PENDING, sa_type=AutoString)
    attempts: int = 0
    next_attempt_at: datetime = utc_time()
    last_error: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = utc_time()
    applied_at: datetime | None = utc_time(nullable=True)
    # When the moderators were told this change is stuck (50013), so they hear it once.
    reported_at: datetime | None = utc_time(nullable=True)


class ManagedRole(SQLModel, table=True):
    """A tier role the bot itself gave a member; only these may it take away."""

    __tablename__ = "managed_roles"
    __table_args__ = (UniqueConstraint("guild_id", "user_id", "role_id"),)

    id: int | None = row_id()
    guild_id: int = snowflake()
    user_id: int = snowflake()
    role_id: int = snowflake()
    since: datetime = utc_time()
