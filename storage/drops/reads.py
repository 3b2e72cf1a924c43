"""Reads of the interaction log for drops: what a member opened, the numbers per item."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import distinct, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.interactions import Interaction

CONTENT_KINDS = ("drop_open", "drop_like", "drop_comment", "drop_upsell", "event_attend")


async def opened_content_ids(session: AsyncSession, guild_id: int, user_id: int) -> set[int]:
    """Items the member has opened at least once."""
    result = await session.exec(
        select(Interaction.ref)
        .where(
            Interaction.guild_id == guild_id,
            Interaction.user_id == user_id,
            Interaction.kind == "drop_open",
        )
        .distinct()
    )
    return {int(ref) for ref in result.all() if ref and ref.isdigit()}


async def first_times(
    session: AsyncSession, guild_id: int, user_id: int
) -> tuple[datetime | None, datetime | None]:
    """The member's first `join` and first `paid_start` in the log (drip's fallback)."""
    result = await session.exec(
        select(Interaction.kind, func.min(Interaction.at))
        .where(
            Interaction.guild_id == guild_id,
            Interaction.user_id == user_id,
            col(Interaction.kind).in_(("join", "paid_start")),
        )
        .group_by(col(Interaction.kind))
    )
    found = dict(result.all())
    return found.get("join"), found.get("paid_start")


async def content_counts(
    session: AsyncSession, guild_id: int, start: datetime, end: datetime
) -> list[tuple[str, str, int, int]]:
    """(content ref, kind, rows, distinct members) of the drops kinds in [start, end)."""
    result = await session.exec(
        select(
            Interaction.ref,
            Interaction.kind,
            func.count(),
            func.count(distinct(col(Interaction.user_id))),
        )
        .where(
            Interaction.guild_id == guild_id,
            col(Interaction.at) >= start,
            col(Interaction.at) < end,
            col(Interaction.kind).in_(CONTENT_KINDS),
        )
        .group_by(col(Interaction.ref), col(Interaction.kind))
    )
    return [(str(ref), str(kind), int(n), int(people)) for ref, kind, n, people in result.all()]


async def upsold_members(
    session: AsyncSession, guild_id: int, start: datetime, end: datetime
) -> list[tuple[str, int, datetime]]:
    """(content ref, member, first upsell time) of upsells shown in [start, end)."""
    result = await session.exec(
        select(Interaction.ref, Interaction.user_id, func.min(Interaction.at))
        .where(
            Interaction.guild_id == guild_id,
            Interaction.kind == "drop_upsell",
            col(Interaction.at) >= start,
            col(Interaction.at) < end,
        )
        .group_by(col(Interaction.ref), col(Interaction.user_id))
    )
    return [(str(ref), int(user), at) for ref, user, at in result.all()]


async def paid_starts(
    session: AsyncSession, guild_id: int, user_ids: Sequence[int], since: datetime
) -> dict[int, datetime]:
    """Each member's first `paid_start` at or after `since`."""
    if not user_ids:
        return {}
    result = await session.exec(
        select(Interaction.user_id, func.min(Interaction.at))
        .where(
            Interaction.guild_id == guild_id,
            Interaction.kind == "paid_start",
            col(Interaction.user_id).in_(list(user_ids)),
            col(Interaction.at) >= since,
        )
        .group_by(col(Interaction.user_id))
    )
    return {int(user): at for user, at in result.all()}
