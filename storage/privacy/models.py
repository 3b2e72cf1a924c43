"""The privacy feature's own tables: requests and opt-outs, keyed by a keyed hash of the
member (never their Discord id), so the record of a deletion does not undo it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index
from sqlmodel import Field, SQLModel

from storage.columns import row_id, snowflake, utc_time


class PrivacyRequest(SQLModel, table=True):
    """One export or deletion a member asked for, and when it was done."""

    __tablename__ = "privacy_requests"
    __table_args__ = (Index("ix_privacy_requests_subject", "guild_id", "subject"),)

    id: int | None = row_id()
    guild_id: int = snowflake()
    subject: str  # HMAC of (guild, user) under the privacy secret, hex
    kind: str  # export | delete | retention
    requested_at: datetime = utc_time()
    completed_at: datetime | None = utc_time(nullable=True)
    stop_recording: bool = False
    rows: int = 0  # rows erased or pseudonymised
    # What was kept, table by table, and why (e.g. payment records the law requires).
    kept: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)


class PrivacyOptOut(SQLModel, table=True):
    """A member who asked not to be recorded: the interaction log and every feature skip them."""

    __tablename__ = "privacy_opt_outs"

    guild_id: int = snowflake(primary_key=True)
    subject: str = Field(primary_key=True)  # the same keyed hash as the requests
    since: datetime = utc_time()
