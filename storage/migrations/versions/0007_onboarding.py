"""onboarding: the guild's gate, welcome and topics; each member's progress

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 13:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import storage.types

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "onboarding_settings",
        sa.Column("guild_id", storage.types.Snowflake, autoincrement=False, nullable=False),
        sa.Column("gate_enabled", sa.Boolean(), nullable=False),
        sa.Column("member_role_id", storage.types.Snowflake, nullable=False),
        sa.Column("welcome_channel_id", storage.types.Snowflake, nullable=False),
        sa.Column("welcome_text", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("gate_message_id", storage.types.Snowflake, nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("guild_id", name=op.f("pk_onboarding_settings")),
    )
    op.create_table(
        "onboarding_topics",
        sa.Column("id", storage.types.RowId, autoincrement=True, nullable=False),
        sa.Column("guild_id", storage.types.Snowflake, nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("label", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("emoji", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("role_id", storage.types.Snowflake, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_onboarding_topics")),
        sa.UniqueConstraint("guild_id", "key", name=op.f("uq_onboarding_topics_guild_id_key")),
    )
    op.create_table(
        "onboarding_members",
        sa.Column("id", storage.types.RowId, autoincrement=True, nullable=False),
        sa.Column("guild_id", storage.types.Snowflake, nullable=False),
        sa.Column("user_id", storage.types.Snowflake, nullable=False),
        sa.Column("first_seen_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("in_guild", sa.Boolean(), nullable=False),
        sa.Column("rejoins", sa.Integer(), nullable=False),
        sa.Column("agreed_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("first_onboarded_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("onboarded_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("interests", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_onboarding_members")),
        sa.UniqueConstraint(
            "guild_id", "user_id", name=op.f("uq_onboarding_members_guild_id_user_id")
        ),
    )


def downgrade() -> None:
    op.drop_table("onboarding_members")
    op.drop_table("onboarding_topics")
    op.drop_table("onboarding_settings")
