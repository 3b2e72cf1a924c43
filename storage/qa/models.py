"""Q&A tables: questions, the answers they got, the accepted answer, marks, drafts, nudges."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Text
from sqlmodel import Field, SQLModel, UniqueConstraint

from storage.columns import json_column, row_id, snowflake, utc_time
from storage.types import RowId

# Question states: open -> answered -> solved | closed (with a close reason).
OPEN, ANSWERED, SOLVED, CLOSED = "open", "answered", "solved", "closed"
STATUSES = (OPEN, ANSWERED, SOLVED, CLOSED)
CLOSE_REASONS = ("duplicate", "inactive", "asker_left", "deleted", "off_topic", "moderator")


class Question(SQLModel, table=True):
    """A question thread: open -> answered -> solved | closed."""

    __tablename__ = "questions"
    __table_args__ = (
        Index("ix_questions_guild_created", "guild_id", "created_at"),
        Index("ix_questions_guild_status", "guild_id", "status"),
    )

    id: int | None = row_id()
    guild_id: int = snowflake()
    thread_id: int = snowflake(index=True)
    channel_id: int = snowflake()
    asker_id: int = snowflake()
    title: str
    details: str = Field(default="", sa_type=Text)
    tags: list[str] = json_column(default_factory=list)
    status: str = OPEN
    close_reason: str | None = None
    duplicate_of_id: int | None = Field(default=None, nullable=True, sa_type=RowId)
    created_at: datetime = utc_time()
    last_activity_at: datetime | None = utc_time(nullable=True)
    first_answer_at: datetime | None = utc_time(nullable=True)
    first_answerer_id: int | None = snowflake(nullable=True)
    solved_at: datetime | None = utc_time(nullable=True)
    accepted_message_id: int | None = snowflake(nullable=True)
    answerer_id: int | None = snowflake(nullable=True)
    # The accepted answer's text: the member pointed the bot at it (docs/qa.md, privacy).
    answer_text: str | None = Field(default=None, nullable=True, sa_type=Text)
    closed_at: datetime | None = utc_time(nullable=True)
    # "This solved it" clicks by members who found this question before asking theirs.
    helped_count: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class QaAnswer(SQLModel, table=True):
    """A reply in a question's thread by someone other than the asker (counts as an answer)."""

    __tablename__ = "qa_answers"
    __table_args__ = (UniqueConstraint("message_id"),)

    id: int | None = row_id()
    guild_id: int = snowflake()
    question_id: int = Field(sa_type=RowId, index=True)
    message_id: int = snowflake()
    answerer_id: int = snowflake()
    posted_at: datetime = utc_time()
    deleted_at: datetime | None = utc_time(nullable=True)


class QaAccepted(SQLModel, table=True):
    """The one accepted answer of a question; the unique constraint makes it one."""

    __tablename__ = "qa_accepted"
    __table_args__ = (UniqueConstraint("question_id"),)

    id: int | None = row_id()
    guild_id: int = snowflake()
    question_id: int = Field(sa_type=RowId)
    message_id: int = snowflake()
    answerer_id: int = snowflake()
    marked_by: int = snowflake()
    marked_at: datetime = utc_time()


class QaMark(SQLModel, table=True):
    """Every "Mark as answer": accepted at once, or waiting for the asker to confirm."""

    __tablename__ = "qa_marks"
    __table_args__ = (Index("ix_qa_marks_guild_marked_by_at", "guild_id", "marked_by", "at"),)

    id: int | None = row_id()
    guild_id: int = snowflake()
    question_id: int = Field(sa_type=RowId)
    message_id: int = snowflake()
    answerer_id: int = snowflake()
    answer_text: str = Field(default="", sa_type=Text)
    marked_by: int = snowflake()
    at: datetime = utc_time()
    state: str = "pending"  # pending | accepted | declined


class QaDraft(SQLModel, table=True):
    """What a member typed in /ask, kept until it is posted (or refused and edited)."""

    __tablename__ = "qa_drafts"

    id: int | None = row_id()
    guild_id: int = snowflake()
    user_id: int = snowflake(index=True)
    title: str = ""
    details: str = Field(default="", sa_type=Text)
    tags: list[str] = json_column(default_factory=list)
    created_at: datetime = utc_time()


class QaNudge(SQLModel, table=True):
    """A timer that fired for a question; the unique constraint makes it fire once."""

    __tablename__ = "qa_nudges"
    __table_args__ = (UniqueConstraint("question_id", "kind"),)

    id: int | None = row_id()
    guild_id: int = snowflake()
    question_id: int = Field(sa_type=RowId)
    kind: str  # answered_unmarked | unanswered | inactive_close
    at: datetime = utc_time()
