"""disputes: remember each dispute and what its charge paid for

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 11:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import storage.types

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "disputes",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("charge_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("payment_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("customer_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("subscription_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("opened_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_disputes_payment_id", "disputes", ["payment_id"])
    op.create_index("ix_disputes_customer_id", "disputes", ["customer_id"])
    op.create_index("ix_disputes_subscription_id", "disputes", ["subscription_id"])


def downgrade() -> None:
    op.drop_index("ix_disputes_subscription_id", table_name="disputes")
    op.drop_index("ix_disputes_customer_id", table_name="disputes")
    op.drop_index("ix_disputes_payment_id", table_name="disputes")
    op.drop_table("disputes")
