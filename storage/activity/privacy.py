"""The activity feature's personal data: the member row and their interaction-log rows."""

from __future__ import annotations

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from storage.activity.models import Member
from storage.interactions import Interaction
from storage.privacy import delete_rows, rows_of

TABLES = ("members", "interactions")


async def export_member(session: AsyncSession, guild_id: int, user_id: int) -> dict[str, Any]:
    """The member row and every logged interaction (ids and times; content is never kept)."""
    return {
        "member": await rows_of(session, Member, guild_id, user_id),
        "interactions": await rows_of(session, Interaction, guild_id, user_id),
    }


async def forget_member(session: AsyncSession, guild_id: int, user_id: int) -> int:
    """Delete the member row and their interactions; the stats rebuild without them."""
    return await delete_rows(session, Interaction, guild_id, user_id) + await delete_rows(
        session, Member, guild_id, user_id
    )
