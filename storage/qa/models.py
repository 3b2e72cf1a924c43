"""Questions asked in Q&A threads."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Text
from sqlmodel import Field, SQLModel

from storage.columns import json_column, row_id, snowflake, utc_time


class Question(SQLModel, table=True):
    """A question thread: open → answered → solved | closed."""

    __tablename__ = "questions"
    __table_args__ = (Index("ix_questions_guild_created", "guild_id", "created_at"),)

    id: int | None = row_id()
    guild_id: int = snowflake()
    thread_id: int = snowflake(index=True)
    channel_id: int = snowflake()
    asker_id: int = snowflake()
    title: str
    details: str = Field(default="", sa_type=Text)
    tags: list[str] = json_column(default_factory=list)
    status: str = "open"  # open | answered | solved | closed
    close_reason: str | None = None
    created_at: datetime = utc_time()
    first_answer_at: datetime | None = utc_time(nullable=True)
    first_answerer_id: int | None = snowflake(nullable=True)
    solved_at: datetime | None = utc_time(nullable=True)
    accepted_message_id: int | None = snowflake(nullable=True)
    answerer_id: int | None = snowflake(nullable=True)
    nudged_at: datetime | None = utc_time(nullable=True)
    closed_at: datetime | None = utc_time(nullable=True)
