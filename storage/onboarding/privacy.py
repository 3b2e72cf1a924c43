"""Onboarding's personal data: each member's progress and interests."""

from __future__ import annotations

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from storage.onboarding.models import OnboardingMember
from storage.privacy import Erasure, delete_rows, rows_of

TABLES = ("onboarding_members",)


async def export_member(session: AsyncSession, guild_id: int, user_id: int) -> dict[str, Any]:
    """The member's onboarding row (times, interests)."""
    return {"onboarding_members": await rows_of(session, OnboardingMember, guild_id, user_id)}


async def forget_member(session: AsyncSession, erasure: Erasure) -> int:
    """Delete it (the stats read onboarding from the member row, which stays pseudonymised)."""
    return await delete_rows(session, OnboardingMember, erasure.guild_id, erasure.user_id)
