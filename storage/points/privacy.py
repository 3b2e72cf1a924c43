"""Points' personal data: a member's ledger, balances, preference, open days, questions.

Erasing a member deletes their entries and balances (the boards forget them); entries
they made as a moderator about others stay, like the audit trail, under the pseudonym.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.points.models import (
    PointsBalance,
    PointsEntry,
    PointsMember,
    PointsOpenDay,
    PointsQuestion,
    PointsRescore,
)
from storage.points.tables import QUESTIONS
from storage.privacy import Erasure, delete_rows, rows_of

TABLES = (
    "points_ledger",
    "points_balances",
    "points_members",
    "points_open_days",
    "points_questions",
    "points_rescores",
)
KEPT = {
    "points_ledger": "Point adjustments you made as a moderator stay accountable, with a "
    "pseudonym in place of your id; your own points are deleted.",
    "points_rescores": "Re-scores you applied as a moderator stay, with a pseudonym.",
}


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


async def forget_member(session: AsyncSession, erasure: Erasure) -> int:
    """Delete the member's own rows; what they did as a moderator stays, pseudonymised."""
    guild_id, user_id = erasure.guild_id, erasure.user_id
    removed = 0
    for model in (PointsEntry, PointsBalance, PointsMember, PointsOpenDay):
        removed += await delete_rows(session, model, guild_id, user_id)
    result = await session.exec(
        delete(QUESTIONS).where(QUESTIONS.c.guild_id == guild_id, QUESTIONS.c.asker_id == user_id)
    )
    removed += int(result.rowcount or 0)
    for statement in (
        update(PointsEntry)
        .where(col(PointsEntry.guild_id) == guild_id, col(PointsEntry.actor_id) == user_id)
        .values(actor_id=erasure.pseudonym),
        update(PointsRescore)
        .where(col(PointsRescore.guild_id) == guild_id, col(PointsRescore.actor_id) == user_id)
        .values(actor_id=erasure.pseudonym),
    ):
        acted = await session.exec(statement)
        removed += int(acted.rowcount or 0)
    return removed
