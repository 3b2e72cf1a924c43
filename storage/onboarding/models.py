"""Onboarding tables: the guild's settings and topics, and each member's progress."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import SQLModel, UniqueConstraint

from storage.columns import json_column, row_id, snowflake, utc_time


class OnboardingSettings(SQLModel, table=True):
    """What moderators set with `/setup onboarding` (one row per guild)."""

    __tablename__ = "onboarding_settings"

    guild_id: int = snowflake(primary_key=True)
    gate_enabled: bool = False
    member_role_id: int = snowflake(default=0)
    welcome_channel_id: int = snowflake(default=0)
    welcome_text: str = ""
    gate_message_id: int = snowflake(default=0)
    welcome_dm: bool = False  # send new members the functional welcome DM
    updated_at: datetime = utc_time()


class OnboardingTopic(SQLModel, table=True):
    """An interest members can pick; picking it gives its role."""

    __tablename__ = "onboarding_topics"
    __table_args__ = (UniqueConstraint("guild_id", "key"),)

    id: int | None = row_id()
    guild_id: int = snowflake()
    key: str
    label: str
    emoji: str = ""
    role_id: int = snowflake()


class OnboardingMember(SQLModel, table=True):
    """One member's onboarding: agreed, welcomed, interests; kept across leaves."""

    __tablename__ = "onboarding_members"
    __table_args__ = (UniqueConstraint("guild_id", "user_id"),)

    id: int | None = row_id()
    guild_id: int = snowflake()
    user_id: int = snowflake()
    first_seen_at: datetime = utc_time()
    in_guild: bool = True
    rejoins: int = 0
    agreed_at: datetime | None = utc_time(nullable=True)
    first_onboarded_at: datetime | None = utc_time(nullable=True)
    # Set when the member became a member in their current stay; cleared when they leave.
    onboarded_at: datetime | None = utc_time(nullable=True)
    interests: list[str] = json_column(default_factory=list)
    interests_at: datetime | None = utc_time(nullable=True)  # first picked any
    dms_off: bool = False  # `/profile dms off`: no feature sends them direct messages
    welcome_dm_at: datetime | None = utc_time(nullable=True)  # the welcome DM, once


class OnboardingInvite(SQLModel, table=True):
    """An invite code moderators named as a campaign (`/setup invite`)."""

    __tablename__ = "onboarding_invites"
    __table_args__ = (UniqueConstraint("guild_id", "code"),)

    id: int | None = row_id()
    guild_id: int = snowflake()
    code: str
    campaign: str
    named_by: int = snowflake()
    named_at: datetime = utc_time()
