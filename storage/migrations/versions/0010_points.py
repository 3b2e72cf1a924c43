"""points: the append-only ledger reshaped (rule, cause, seq), balances per period,
rules and levels per guild, members' preferences, askers, open days, re-scores

Revision ID: 0010
Revises: 0007
Create Date: 2026-12-03 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import storage.types

revision: str = "0010"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = storage.types.Snowflake
_TEXT = sqlmodel.sql.sqltypes.AutoString()
_TIME = storage.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    # The 0001 placeholder held nothing (no feature wrote to it): replace it.
    with op.batch_alter_table("points_ledger", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_points_ledger_created_at"))
        batch_op.drop_index("ix_points_guild_user")
    op.drop_table("points_ledger")
    op.create_table(
        "points_ledger",
        sa.Column("id", storage.types.RowId, autoincrement=True, nullable=False),
        sa.Column("guild_id", _ID, nullable=False),
        sa.Column("user_id", _ID, nullable=False),
        sa.Column("rule", _TEXT, nullable=False),
        sa.Column("cause", _TEXT, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", _TEXT, nullable=False),
        sa.Column("delta", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("ref", _ID, nullable=False),
        sa.Column("actor_id", _ID, nullable=False),
        sa.Column("note", _TEXT, nullable=False),
        sa.Column("at", _TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_points_ledger")),
        sa.UniqueConstraint(
            "guild_id",
            "user_id",
            "rule",
            "cause",
            "seq",
            name=op.f("uq_points_ledger_guild_id_user_id_rule_cause_seq"),
        ),
    )
    with op.batch_alter_table("points_ledger", schema=None) as batch_op:
        batch_op.create_index(
            "ix_points_ledger_member_day", ["guild_id", "user_id", "day"], unique=False
        )
    op.create_table(
        "points_balances",
        sa.Column("guild_id", _ID, autoincrement=False, nullable=False),
        sa.Column("period", _TEXT, nullable=False),
        sa.Column("user_id", _ID, autoincrement=False, nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("guild_id", "period", "user_id", name=op.f("pk_points_balances")),
    )
    with op.batch_alter_table("points_balances", schema=None) as batch_op:
        batch_op.create_index(
            "ix_points_balances_board", ["guild_id", "period", "points"], unique=False
        )
    op.create_table(
        "points_settings",
        sa.Column("guild_id", _ID, autoincrement=False, nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("levels", sa.JSON(), nullable=False),
        sa.Column("updated_at", _TIME, nullable=False),
        sa.PrimaryKeyConstraint("guild_id", name=op.f("pk_points_settings")),
    )
    op.create_table(
        "points_members",
        sa.Column("guild_id", _ID, autoincrement=False, nullable=False),
        sa.Column("user_id", _ID, autoincrement=False, nullable=False),
        sa.Column("hidden", sa.Boolean(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("guild_id", "user_id", name=op.f("pk_points_members")),
    )
    op.create_table(
        "points_questions",
        sa.Column("guild_id", _ID, autoincrement=False, nullable=False),
        sa.Column("question_id", _ID, autoincrement=False, nullable=False),
        sa.Column("asker_id", _ID, nullable=False),
        sa.PrimaryKeyConstraint("guild_id", "question_id", name=op.f("pk_points_questions")),
    )
    op.create_table(
        "points_open_days",
        sa.Column("guild_id", _ID, autoincrement=False, nullable=False),
        sa.Column("user_id", _ID, autoincrement=False, nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("guild_id", "user_id", "day", name=op.f("pk_points_open_days")),
    )
    op.create_table(
        "points_rescores",
        sa.Column("id", storage.types.RowId, autoincrement=True, nullable=False),
        sa.Column("guild_id", _ID, nullable=False),
        sa.Column("actor_id", _ID, nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("status", _TEXT, nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("applied_at", _TIME, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_points_rescores")),
    )


def downgrade() -> None:
    op.drop_table("points_rescores")
    op.drop_table("points_open_days")
    op.drop_table("points_questions")
    op.drop_table("points_members")
    op.drop_table("points_settings")
    with op.batch_alter_table("points_balances", schema=None) as batch_op:
        batch_op.drop_index("ix_points_balances_board")
    op.drop_table("points_balances")
    with op.batch_alter_table("points_ledger", schema=None) as batch_op:
        batch_op.drop_index("ix_points_ledger_member_day")
    op.drop_table("points_ledger")
    op.create_table(
        "points_ledger",
        sa.Column("id", storage.types.RowId, nullable=False),
        sa.Column("guild_id", _ID, nullable=False),
        sa.Column("user_id", _ID, nullable=False),
        sa.Column("delta", sa.Integer(), nullable=False),
        sa.Column("reason", _TEXT, nullable=False),
        sa.Column("ref", _TEXT, nullable=True),
        sa.Column("created_by", _ID, nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_points_ledger")),
    )
    with op.batch_alter_table("points_ledger", schema=None) as batch_op:
        batch_op.create_index("ix_points_guild_user", ["guild_id", "user_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_points_ledger_created_at"), ["created_at"], unique=False
        )
