"""Feedback is personal data: the member's own words."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.feedback.models import Feedback
from storage.privacy import Erasure, rows_of

TABLES = ("feedback",)
KEPT = {
    "feedback": "The weekly count of feedback stays true: each entry is kept as an empty row "
    "under a pseudonym; your words are erased.",
}


async def export_member(session: AsyncSession, guild_id: int, user_id: int) -> dict[str, Any]:
    """Everything the member sent with /feedback."""
    return {"feedback": await rows_of(session, Feedback, guild_id, user_id)}


async def forget_member(session: AsyncSession, erasure: Erasure) -> int:
    """Keep the feedback under the pseudonym (the weekly count stays true); its words go."""
    result = await session.exec(
        update(Feedback)
        .where(col(Feedback.guild_id) == erasure.guild_id, col(Feedback.user_id) == erasure.user_id)
        .values(user_id=erasure.pseudonym, text="")
    )
    return int(result.rowcount or 0)
