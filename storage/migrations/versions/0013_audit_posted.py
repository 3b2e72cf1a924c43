"""audit: when each entry reached the moderators' log channel

Revision ID: 0013
Revises: 0007
Create Date: 2026-12-02 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0013"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(
            sa.Column("posted_at", storage.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch.create_index(batch.f("ix_audit_log_posted_at"), ["posted_at"], unique=False)
    # Entries from before this revision are history, not news: the log is not flooded.
    op.execute("UPDATE audit_log SET posted_at = created_at")


def downgrade() -> None:
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_index(batch.f("ix_audit_log_posted_at"))
        batch.drop_column("posted_at")
