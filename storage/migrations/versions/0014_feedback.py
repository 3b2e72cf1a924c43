"""feedback: what members tell the moderators

Revision ID: 0014
Revises: 0007
Create Date: 2026-12-02 17:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0014"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "feedback",
        sa.Column("id", storage.types.RowId, autoincrement=True, nullable=False),
        sa.Column("guild_id", storage.types.Snowflake, nullable=False),
        sa.Column("user_id", storage.types.Snowflake, nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("posted_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback")),
    )
    with op.batch_alter_table("feedback") as batch:
        batch.create_index("ix_feedback_guild_created", ["guild_id", "created_at"], unique=False)
        batch.create_index(batch.f("ix_feedback_posted_at"), ["posted_at"], unique=False)
        batch.create_index(batch.f("ix_feedback_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_table("feedback")
