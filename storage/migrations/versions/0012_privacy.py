"""privacy: requests and opt-outs (keyed by a keyed hash), the stats' retention horizon

Revision ID: 0012
Revises: 0007
Create Date: 2026-12-04 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import storage.types

revision: str = "0012"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "privacy_requests",
        sa.Column("id", storage.types.RowId, autoincrement=True, nullable=False),
        sa.Column("guild_id", storage.types.Snowflake, nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("requested_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("completed_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("stop_recording", sa.Boolean(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("kept", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_requests")),
    )
    op.create_index(
        "ix_privacy_requests_subject", "privacy_requests", ["guild_id", "subject"], unique=False
    )
    op.create_table(
        "privacy_opt_outs",
        sa.Column("guild_id", storage.types.Snowflake, autoincrement=False, nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("since", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("guild_id", "subject", name=op.f("pk_privacy_opt_outs")),
    )
    op.create_table(
        "stats_retention",
        sa.Column("guild_id", storage.types.Snowflake, autoincrement=False, nullable=False),
        sa.Column("closed_before", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("guild_id", name=op.f("pk_stats_retention")),
    )


def downgrade() -> None:
    op.drop_table("stats_retention")
    op.drop_table("privacy_opt_outs")
    op.drop_index("ix_privacy_requests_subject", table_name="privacy_requests")
    op.drop_table("privacy_requests")
