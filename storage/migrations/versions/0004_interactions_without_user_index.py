"""Join the feature branches; drop the (guild_id, user_id) index of interactions.

Nothing reads interactions by member (stats read their rollups), and keeping that
B-tree in order under random user ids cost three quarters of every insert.

Revision ID: 0004
Revises: 0002, 0003
Create Date: 2026-11-25 18:45:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: tuple[str, ...] = ("0002", "0003")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain DROP INDEX: batch mode would copy the whole table on SQLite.
    op.drop_index("ix_interactions_guild_user", table_name="interactions")


def downgrade() -> None:
    op.create_index("ix_interactions_guild_user", "interactions", ["guild_id", "user_id"])
