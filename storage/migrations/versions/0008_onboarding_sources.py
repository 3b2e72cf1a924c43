"""onboarding: where members come from (members.source, named invites), the welcome DM
and the DM opt-out, when interests were first picked

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-09 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import storage.types

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
    with op.batch_alter_table("onboarding_settings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("welcome_dm", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("onboarding_members", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("interests_at", storage.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("dms_off", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("welcome_dm_at", storage.types.UTCDateTime(timezone=True), nullable=True)
        )
    op.create_table(
        "onboarding_invites",
        sa.Column("id", storage.types.RowId, autoincrement=True, nullable=False),
        sa.Column("guild_id", storage.types.Snowflake, nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("campaign", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("named_by", storage.types.Snowflake, nullable=False),
        sa.Column("named_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_onboarding_invites")),
        sa.UniqueConstraint("guild_id", "code", name=op.f("uq_onboarding_invites_guild_id_code")),
    )


def downgrade() -> None:
    op.drop_table("onboarding_invites")
    with op.batch_alter_table("onboarding_members", schema=None) as batch_op:
        batch_op.drop_column("welcome_dm_at")
        batch_op.drop_column("dms_off")
        batch_op.drop_column("interests_at")
    with op.batch_alter_table("onboarding_settings", schema=None) as batch_op:
        batch_op.drop_column("welcome_dm")
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_column("source")
