"""Queries on the onboarding tables; they never commit."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.onboarding.models import (
    OnboardingInvite,
    OnboardingMember,
    OnboardingSettings,
    OnboardingTopic,
)


async def settings(session: AsyncSession, guild_id: int) -> OnboardingSettings | None:
    """The guild's onboarding settings, if a moderator saved any."""
    return await session.get(OnboardingSettings, guild_id)


async def save_settings(session: AsyncSession, row: OnboardingSettings) -> None:
    """Insert or update the guild's settings."""
    session.add(row)
    await session.flush()


async def topics(session: AsyncSession, guild_id: int) -> list[OnboardingTopic]:
    """The guild's topics, by key."""
    result = await session.exec(
        select(OnboardingTopic)
        .where(OnboardingTopic.guild_id == guild_id)
        .order_by(col(OnboardingTopic.key))
    )
    return list(result.all())


async def save_topic(
    session: AsyncSession, guild_id: int, key: str, label: str, emoji: str, role_id: int
) -> OnboardingTopic:
    """Create or change the topic `key`."""
    result = await session.exec(
        select(OnboardingTopic).where(
            OnboardingTopic.guild_id == guild_id, OnboardingTopic.key == key
        )
    )
    topic = result.first() or OnboardingTopic(
        guild_id=guild_id, key=key, label=label, role_id=role_id
    )
    topic.label, topic.emoji, topic.role_id = label, emoji, role_id
    session.add(topic)
    await session.flush()
    return topic


async def remove_topic(session: AsyncSession, guild_id: int, key: str) -> bool:
    """Delete the topic `key`; False when there was none."""
    result = await session.exec(
        delete(OnboardingTopic).where(
            col(OnboardingTopic.guild_id) == guild_id, col(OnboardingTopic.key) == key
        )
    )
    return bool(result.rowcount)


async def member(session: AsyncSession, guild_id: int, user_id: int) -> OnboardingMember | None:
    """The member's onboarding row, present or gone."""
    result = await session.exec(
        select(OnboardingMember).where(
            OnboardingMember.guild_id == guild_id, OnboardingMember.user_id == user_id
        )
    )
    return result.first()


async def member_or_new(
    session: AsyncSession, guild_id: int, user_id: int, at: datetime
) -> OnboardingMember:
    """The member's row, created (first seen `at`) when missing."""
    found = await member(session, guild_id, user_id)
    if found is not None:
        return found
    row = OnboardingMember(guild_id=guild_id, user_id=user_id, first_seen_at=at)
    session.add(row)
    await session.flush()
    return row


async def save_member(session: AsyncSession, row: OnboardingMember) -> None:
    """Write the member's row."""
    session.add(row)
    await session.flush()


async def campaigns(session: AsyncSession, guild_id: int) -> list[OnboardingInvite]:
    """The invite codes moderators named, by code."""
    result = await session.exec(
        select(OnboardingInvite)
        .where(OnboardingInvite.guild_id == guild_id)
        .order_by(col(OnboardingInvite.code))
    )
    return list(result.all())


async def name_invite(
    session: AsyncSession, guild_id: int, code: str, campaign: str, by: int, at: datetime
) -> OnboardingInvite:
    """Name the invite `code` as `campaign` (renaming it when named before)."""
    result = await session.exec(
        select(OnboardingInvite).where(
            OnboardingInvite.guild_id == guild_id, OnboardingInvite.code == code
        )
    )
    row = result.first() or OnboardingInvite(
        guild_id=guild_id, code=code, campaign=campaign, named_by=by, named_at=at
    )
    row.campaign, row.named_by, row.named_at = campaign, by, at
    session.add(row)
    await session.flush()
    return row


async def unname_invite(session: AsyncSession, guild_id: int, code: str) -> bool:
    """Forget the name of `code`; False when it had none."""
    result = await session.exec(
        delete(OnboardingInvite).where(
            col(OnboardingInvite.guild_id) == guild_id, col(OnboardingInvite.code) == code
        )
    )
    return bool(result.rowcount)
