"""Points' personal data: a member's ledger, balances, preference, open days, questions.

Erasing a member deletes their entries and balances (the boards forget them); entries
they made as a moderator about others stay, like the audit trail, with their id.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.points.models import (
    PointsBalance,
    PointsEntry,
    PointsMember,
    PointsOpenDay,
    PointsQuestion,
    PointsRescore,
)
from storage.points.queries import QUESTIONS
from storage.privacy import delete_rows, rows_of

TABLES = (
    "points_ledger",
    "points_balances",
    "points_members",
    "points_open_days",
    "points_questions",
    "points_rescores",
)


async def export_member(session: AsyncSession, guild_id: int, user_id: int) -> dict[str, Any]:
    """The member's entries, balances, preference, open days and questions asked."""
    return {
        "points_ledger": await rows_of(session, PointsEntry, guild_id, user_id),
        "points_adjusted_by_member": await rows_of(
            session, PointsEntry, guild_id, user_id, "actor_id"
        ),
        "points_balances": await rows_of(session, PointsBalance, guild_id, user_id),
        "points_members": await rows_of(session, PointsMember, guild_id, user_id),
        "points_open_days": await rows_of(session, PointsOpenDay, guild_id, user_id),
        "points_questions": await rows_of(session, PointsQuestion, guild_id, user_id, "asker_id"),
        "points_rescores": await rows_of(session, PointsRescore, guild_id, user_id, "actor_id"),
    }


async def forget_member(session: AsyncSession, guild_id: int, user_id: int) -> int:
    """Delete the member's own rows (what they did as a moderator stays accountable)."""
    removed = 0
    for model in (PointsEntry, PointsBalance, PointsMember, PointsOpenDay):
        removed += await delete_rows(session, model, guild_id, user_id)
    result = await session.exec(
        delete(QUESTIONS).where(QUESTIONS.c.guild_id == guild_id, QUESTIONS.c.asker_id == user_id)
    )
    return removed + int(result.rowcount or 0)
