"""Onboarding's personal data: each member's progress and interests, and the campaigns a
moderator named."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.onboarding.models import OnboardingInvite, OnboardingMember
from storage.privacy import Erasure, delete_rows, rows_of

TABLES = ("onboarding_members", "onboarding_invites")
KEPT = {
    "onboarding_invites": "A campaign name a moderator gave an invite stays for the stats, "
    "with a pseudonym in place of who named it.",
}


async def export_member(session: AsyncSession, guild_id: int, user_id: int) -> dict[str, Any]:
    """The member's onboarding row (times, interests)."""
    return {
        "onboarding_members": await rows_of(session, OnboardingMember, guild_id, user_id),
        "onboarding_invites": await rows_of(
            session, OnboardingInvite, guild_id, user_id, column="named_by"
        ),
    }


async def forget_member(session: AsyncSession, erasure: Erasure) -> int:
    """Delete the member's row (the stats read onboarding from the member row, which stays
    pseudonymised); campaigns they named keep the pseudonym."""
    named = await session.exec(
        update(OnboardingInvite)
        .where(
            col(OnboardingInvite.guild_id) == erasure.guild_id,
            col(OnboardingInvite.named_by) == erasure.user_id,
        )
        .values(named_by=erasure.pseudonym)
    )
    deleted = await delete_rows(session, OnboardingMember, erasure.guild_id, erasure.user_id)
    return deleted + int(named.rowcount or 0)
