"""qa: questions reshaped; answers, the accepted answer, marks, drafts, nudges; full-text index

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-03 10:00:00

The `questions` table of 0001 was a placeholder nothing wrote to: it is rebuilt. The
full-text index is an SQLite FTS5 table over title, details and the accepted answer's text
(kept in step by triggers), or a GIN expression index on PostgreSQL; neither is described
by a model (their names start with `fts_`, which Alembic's comparisons skip).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import storage.types

revision: str = "0009"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FTS_COLUMNS = "title, details, answer_text"
SQLITE_FTS = (
    "CREATE VIRTUAL TABLE fts_questions USING fts5("
    "title, details, answer_text, content='questions', content_rowid='id', "
    "tokenize='porter unicode61')",
    "CREATE TRIGGER fts_questions_ai AFTER INSERT ON questions BEGIN "
    "INSERT INTO fts_questions(rowid, title, details, answer_text) "
    "VALUES (new.id, new.title, new.details, coalesce(new.answer_text, '')); END",
    "CREATE TRIGGER fts_questions_ad AFTER DELETE ON questions BEGIN "
    "INSERT INTO fts_questions(fts_questions, rowid, title, details, answer_text) "
    "VALUES ('delete', old.id, old.title, old.details, coalesce(old.answer_text, '')); END",
    "CREATE TRIGGER fts_questions_au AFTER UPDATE OF title, details, answer_text ON questions "
    "BEGIN "
    "INSERT INTO fts_questions(fts_questions, rowid, title, details, answer_text) "
    "VALUES ('delete', old.id, old.title, old.details, coalesce(old.answer_text, '')); "
    "INSERT INTO fts_questions(rowid, title, details, answer_text) "
    "VALUES (new.id, new.title, new.details, coalesce(new.answer_text, '')); END",
)
# Punctuation becomes spaces first, so "host.docker.internal" is three words, as in FTS5
# (storage/qa/search.py repeats this expression exactly, so the index is used).
POSTGRES_FTS = (
    "CREATE INDEX fts_questions ON questions USING gin (to_tsvector('english', regexp_replace("
    "title || ' ' || details || ' ' || coalesce(answer_text, ''), '[^[:alnum:]]+', ' ', 'g')))",
)


def _snowflake(name: str, nullable: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, storage.types.Snowflake, nullable=nullable)


def _time(name: str, nullable: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, storage.types.UTCDateTime(timezone=True), nullable=nullable)


def _row_id(name: str, nullable: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, storage.types.RowId, nullable=nullable)


def upgrade() -> None:
    op.drop_table("questions")
    op.create_table(
        "questions",
        sa.Column("id", storage.types.RowId, autoincrement=True, nullable=False),
        _snowflake("guild_id"),
        _snowflake("thread_id"),
        _snowflake("channel_id"),
        _snowflake("asker_id"),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("close_reason", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        _row_id("duplicate_of_id", nullable=True),
        _time("created_at"),
        _time("last_activity_at", nullable=True),
        _time("first_answer_at", nullable=True),
        _snowflake("first_answerer_id", nullable=True),
        _time("solved_at", nullable=True),
        _snowflake("accepted_message_id", nullable=True),
        _snowflake("answerer_id", nullable=True),
        sa.Column("answer_text", sa.Text(), nullable=True),
        _time("closed_at", nullable=True),
        sa.Column("helped_count", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questions")),
    )
    op.create_index("ix_questions_guild_created", "questions", ["guild_id", "created_at"])
    op.create_index("ix_questions_guild_status", "questions", ["guild_id", "status"])
    op.create_index(op.f("ix_questions_thread_id"), "questions", ["thread_id"])
    op.create_table(
        "qa_answers",
        sa.Column("id", storage.types.RowId, autoincrement=True, nullable=False),
        _snowflake("guild_id"),
        _row_id("question_id"),
        _snowflake("message_id"),
        _snowflake("answerer_id"),
        _time("posted_at"),
        _time("deleted_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qa_answers")),
        sa.UniqueConstraint("message_id", name=op.f("uq_qa_answers_message_id")),
    )
    op.create_index(op.f("ix_qa_answers_question_id"), "qa_answers", ["question_id"])
    op.create_table(
        "qa_accepted",
        sa.Column("id", storage.types.RowId, autoincrement=True, nullable=False),
        _snowflake("guild_id"),
        _row_id("question_id"),
        _snowflake("message_id"),
        _snowflake("answerer_id"),
        _snowflake("marked_by"),
        _time("marked_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qa_accepted")),
        sa.UniqueConstraint("question_id", name=op.f("uq_qa_accepted_question_id")),
    )
    op.create_table(
        "qa_marks",
        sa.Column("id", storage.types.RowId, autoincrement=True, nullable=False),
        _snowflake("guild_id"),
        _row_id("question_id"),
        _snowflake("message_id"),
        _snowflake("answerer_id"),
        sa.Column("answer_text", sa.Text(), nullable=False),
        _snowflake("marked_by"),
        _time("at"),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qa_marks")),
    )
    op.create_index("ix_qa_marks_guild_marked_by_at", "qa_marks", ["guild_id", "marked_by", "at"])
    op.create_table(
        "qa_drafts",
        sa.Column("id", storage.types.RowId, autoincrement=True, nullable=False),
        _snowflake("guild_id"),
        _snowflake("user_id"),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        _time("created_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qa_drafts")),
    )
    op.create_index(op.f("ix_qa_drafts_user_id"), "qa_drafts", ["user_id"])
    op.create_table(
        "qa_nudges",
        sa.Column("id", storage.types.RowId, autoincrement=True, nullable=False),
        _snowflake("guild_id"),
        _row_id("question_id"),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        _time("at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qa_nudges")),
        sa.UniqueConstraint("question_id", "kind", name=op.f("uq_qa_nudges_question_id_kind")),
    )
    for statement in SQLITE_FTS if op.get_bind().dialect.name == "sqlite" else POSTGRES_FTS:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS fts_questions")
    for table in ("qa_nudges", "qa_drafts", "qa_marks", "qa_accepted", "qa_answers"):
        op.drop_table(table)
