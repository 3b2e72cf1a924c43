"""Drops' personal data: who wrote or scheduled what, and each member's drip progress."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.drops.models import ContentItem, DripUnlock, Drop, DropMember
from storage.privacy import Erasure, delete_rows, rows_of

TABLES = ("content_items", "drops", "drop_unlocks", "drop_members")
KEPT = {
    "content_items": "The library keeps items you wrote or reviewed, with a pseudonym in "
    "place of your id as their author or reviewer.",
    "drops": "Drops you scheduled stay on the schedule, with a pseudonym in place of your id.",
}


async def export_member(session: AsyncSession, guild_id: int, user_id: int) -> dict[str, Any]:
    """Items the member wrote, drops they scheduled, their drip unlocks and dates."""
    return {
        "content_items": await rows_of(session, ContentItem, guild_id, user_id, "created_by"),
        "drops": await rows_of(session, Drop, guild_id, user_id, "created_by"),
        "drop_unlocks": await rows_of(session, DripUnlock, guild_id, user_id),
        "drop_members": await rows_of(session, DropMember, guild_id, user_id),
    }


async def forget_member(session: AsyncSession, erasure: Erasure) -> int:
    """Delete their drip rows; the library keeps their items and drops under the pseudonym."""
    guild_id, user_id = erasure.guild_id, erasure.user_id
    changed = await delete_rows(session, DripUnlock, guild_id, user_id)
    changed += await delete_rows(session, DropMember, guild_id, user_id)
    for model in (ContentItem, Drop):
        result = await session.exec(
            update(model)
            .where(col(model.guild_id) == guild_id, col(model.created_by) == user_id)
            .values(created_by=erasure.pseudonym)
        )
        changed += int(result.rowcount or 0)
    result = await session.exec(
        update(ContentItem)
        .where(col(ContentItem.guild_id) == guild_id, col(ContentItem.reviewed_by) == user_id)
        .values(reviewed_by=erasure.pseudonym)
    )
    return changed + int(result.rowcount or 0)
