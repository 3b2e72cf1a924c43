"""Feedback is personal data: the member's own words."""

from __future__ import annotations

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from storage.feedback.models import Feedback
from storage.privacy import delete_rows, rows_of

TABLES = ("feedback",)


async def export_member(session: AsyncSession, guild_id: int, user_id: int) -> dict[str, Any]:
    """Everything the member sent with /feedback."""
    return {"feedback": await rows_of(session, Feedback, guild_id, user_id)}


async def forget_member(session: AsyncSession, guild_id: int, user_id: int) -> int:
    """Delete it (the weekly count of feedback is history and may drop)."""
    return await delete_rows(session, Feedback, guild_id, user_id)
