"""drops: the library (access, review, drip, soft delete, search), drops (nonce, retries,
series), each member's drip unlocks; the 0001 placeholders are replaced (nothing wrote them)

Revision ID: 0011
Revises: 0007
Create Date: 2026-12-02 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import storage.types

revision: str = "0011"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Snowflake = storage.types.Snowflake
RowId = storage.types.RowId
Time = storage.types.UTCDateTime
Str = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    with op.batch_alter_table("drops", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_drops_scheduled_at"))
        batch_op.drop_index(batch_op.f("ix_drops_guild_id"))
        batch_op.drop_index(batch_op.f("ix_drops_content_id"))
    op.drop_table("drops")
    with op.batch_alter_table("content_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_content_items_guild_id"))
    op.drop_table("content_items")

    op.create_table(
        "content_items",
        sa.Column("id", RowId, autoincrement=True, nullable=False),
        sa.Column("guild_id", Snowflake, nullable=False),
        sa.Column("title", Str(), nullable=False),
        sa.Column("summary", Str(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("link", Str(), nullable=True),
        sa.Column("access", Str(), nullable=False),
        sa.Column("tier_key", Str(), nullable=True),
        sa.Column("level", sa.Integer(), nullable=True),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("kind", Str(), nullable=False),
        sa.Column("status", Str(), nullable=False),
        sa.Column("review_reason", Str(), nullable=False),
        sa.Column("reviewed_by", Snowflake, nullable=True),
        sa.Column("drip_days", sa.Integer(), nullable=True),
        sa.Column("drip_from", Str(), nullable=False),
        sa.Column("unlock_at", Time(timezone=True), nullable=True),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("created_by", Snowflake, nullable=False),
        sa.Column("created_at", Time(timezone=True), nullable=False),
        sa.Column("updated_at", Time(timezone=True), nullable=True),
        sa.Column("removed_at", Time(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_items")),
    )
    op.create_index(op.f("ix_content_items_guild_id"), "content_items", ["guild_id"])
    op.create_table(
        "drops",
        sa.Column("id", RowId, autoincrement=True, nullable=False),
        sa.Column("guild_id", Snowflake, nullable=False),
        sa.Column("content_id", sa.Integer(), nullable=False),
        sa.Column("channel_id", Snowflake, nullable=False),
        sa.Column("scheduled_at", Time(timezone=True), nullable=False),
        sa.Column("due_at", Time(timezone=True), nullable=False),
        sa.Column("repeat", Str(), nullable=False),
        sa.Column("timezone", Str(), nullable=False),
        sa.Column("series_id", sa.Integer(), nullable=True),
        sa.Column("status", Str(), nullable=False),
        sa.Column("nonce", Str(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("posted_at", Time(timezone=True), nullable=True),
        sa.Column("message_id", Snowflake, nullable=True),
        sa.Column("thread_id", Snowflake, nullable=True),
        sa.Column("event_id", Snowflake, nullable=True),
        sa.Column("reminded_at", Time(timezone=True), nullable=True),
        sa.Column("last_error", Str(), nullable=True),
        sa.Column("created_by", Snowflake, nullable=False),
        sa.Column("created_at", Time(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["content_id"], ["content_items.id"], name=op.f("fk_drops_content_id_content_items")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drops")),
        sa.UniqueConstraint("nonce", name=op.f("uq_drops_nonce")),
    )
    op.create_index(op.f("ix_drops_content_id"), "drops", ["content_id"])
    op.create_index(op.f("ix_drops_guild_id"), "drops", ["guild_id"])
    op.create_index(op.f("ix_drops_scheduled_at"), "drops", ["scheduled_at"])
    op.create_index("ix_drops_status_due_at", "drops", ["status", "due_at"])
    op.create_table(
        "drop_unlocks",
        sa.Column("id", RowId, autoincrement=True, nullable=False),
        sa.Column("guild_id", Snowflake, nullable=False),
        sa.Column("user_id", Snowflake, nullable=False),
        sa.Column("content_id", sa.Integer(), nullable=False),
        sa.Column("unlocked_at", Time(timezone=True), nullable=False),
        sa.Column("notified", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["content_id"],
            ["content_items.id"],
            name=op.f("fk_drop_unlocks_content_id_content_items"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drop_unlocks")),
        sa.UniqueConstraint(
            "guild_id",
            "user_id",
            "content_id",
            name=op.f("uq_drop_unlocks_guild_id_user_id_content_id"),
        ),
    )
    op.create_table(
        "drop_members",
        sa.Column("id", RowId, autoincrement=True, nullable=False),
        sa.Column("guild_id", Snowflake, nullable=False),
        sa.Column("user_id", Snowflake, nullable=False),
        sa.Column("joined_at", Time(timezone=True), nullable=True),
        sa.Column("paid_since", Time(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drop_members")),
        sa.UniqueConstraint("guild_id", "user_id", name=op.f("uq_drop_members_guild_id_user_id")),
    )
    if op.get_bind().dialect.name == "sqlite":
        # Library search: FTS5 over title, summary and tags (rowid = content id). PostgreSQL
        # searches `search_text` with to_tsvector/plainto_tsquery instead.
        op.execute("CREATE VIRTUAL TABLE content_fts USING fts5(search_text)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS content_fts")
    op.drop_table("drop_members")
    op.drop_table("drop_unlocks")
    op.drop_index("ix_drops_status_due_at", table_name="drops")
    op.drop_index(op.f("ix_drops_scheduled_at"), table_name="drops")
    op.drop_index(op.f("ix_drops_guild_id"), table_name="drops")
    op.drop_index(op.f("ix_drops_content_id"), table_name="drops")
    op.drop_table("drops")
    op.drop_index(op.f("ix_content_items_guild_id"), table_name="content_items")
    op.drop_table("content_items")
    op.create_table(
        "content_items",
        sa.Column("id", RowId, nullable=False),
        sa.Column("guild_id", Snowflake, nullable=False),
        sa.Column("title", Str(), nullable=False),
        sa.Column("summary", Str(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("link", Str(), nullable=True),
        sa.Column("tier_key", Str(), nullable=True),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("created_by", Snowflake, nullable=False),
        sa.Column("created_at", Time(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_items")),
    )
    op.create_index(op.f("ix_content_items_guild_id"), "content_items", ["guild_id"])
    op.create_table(
        "drops",
        sa.Column("id", RowId, nullable=False),
        sa.Column("guild_id", Snowflake, nullable=False),
        sa.Column("content_id", sa.Integer(), nullable=False),
        sa.Column("channel_id", Snowflake, nullable=False),
        sa.Column("scheduled_at", Time(timezone=True), nullable=False),
        sa.Column("repeat", Str(), nullable=False),
        sa.Column("status", Str(), nullable=False),
        sa.Column("posted_at", Time(timezone=True), nullable=True),
        sa.Column("message_id", Snowflake, nullable=True),
        sa.Column("last_error", Str(), nullable=True),
        sa.Column("created_by", Snowflake, nullable=False),
        sa.Column("created_at", Time(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["content_id"], ["content_items.id"], name=op.f("fk_drops_content_id_content_items")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drops")),
    )
    op.create_index(op.f("ix_drops_content_id"), "drops", ["content_id"])
    op.create_index(op.f("ix_drops_guild_id"), "drops", ["guild_id"])
    op.create_index(op.f("ix_drops_scheduled_at"), "drops", ["scheduled_at"])
