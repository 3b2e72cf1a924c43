"""The content library and its scheduled drops."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Text
from sqlmodel import Field, SQLModel

from storage.columns import json_column, row_id, snowflake, utc_time


class ContentItem(SQLModel, table=True):
    """A piece of the library: free, or for one tier."""

    __tablename__ = "content_items"

    id: int | None = row_id()
    guild_id: int = snowflake(index=True)
    title: str
    summary: str = ""
    body: str = Field(default="", sa_type=Text)
    link: str | None = None
    tier_key: str | None = None  # None = free
    tags: list[str] = json_column(default_factory=list)
    created_by: int = snowflake()
    created_at: datetime = utc_time()


class Drop(SQLModel, table=True):
    """A scheduled post of a content item; the source of truth for the scheduler."""

    __tablename__ = "drops"

    id: int | None = row_id()
    guild_id: int = snowflake(index=True)
    content_id: int = Field(foreign_key="content_items.id", index=True)
    channel_id: int = snowflake()
    scheduled_at: datetime = utc_time(index=True)
    repeat: str = "none"  # none | daily | weekly | monthly
    status: str = "scheduled"  # scheduled | posting | posted | failed | canceled
    posted_at: datetime | None = utc_time(nullable=True)
    message_id: int | None = snowflake(nullable=True)
    last_error: str | None = None
    created_by: int = snowflake()
    created_at: datetime = utc_time()
