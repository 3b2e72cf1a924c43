"""Queries on `members`: joins, leaves, lookups, the whole roster."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select as core_select
from sqlmodel import col, func, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.activity.models import JoinSource, Member
from storage.interactions import Interaction
from storage.stats.sql import execute


async def get(session: AsyncSession, guild_id: int, user_id: int) -> Member | None:
    """The member row, whether or not they are still in the guild."""
    result = await session.exec(
        select(Member).where(Member.guild_id == guild_id, Member.user_id == user_id)
    )
    return result.first()


async def record_join(
    session: AsyncSession, guild_id: int, user_id: int, at: datetime, source: str = "live"
) -> Member:
    """Insert the member, or record a rejoin on the original row (the first join is kept).

    A join older than what we know (an imported one) only moves the first join back.
    """
    member = await get(session, guild_id, user_id)
    if member is None:
        member = Member(
            guild_id=guild_id,
            user_id=user_id,
            first_joined_at=at,
            joined_at=at,
            join_source=JoinSource(source),
        )
    else:
        member.first_joined_at = min(member.first_joined_at, at)
        if at >= max(member.joined_at, member.left_at or member.joined_at):
            member.joined_at = at
            member.in_guild = True
            member.left_at = None
    session.add(member)
    await session.flush()
    return member


async def record_onboarded(
    session: AsyncSession, guild_id: int, user_id: int, at: datetime
) -> Member | None:
    """Note when the member first became a member (agreed, screened, onboarded natively)."""
    member = await get(session, guild_id, user_id)
    if member is None or member.onboarded_at is not None:
        return member
    member.onboarded_at = at
    session.add(member)
    await session.flush()
    return member


async def record_leave(
    session: AsyncSession, guild_id: int, user_id: int, at: datetime
) -> Member | None:
    """Mark the member as gone; None when the bot never saw them.

    A leave older than their latest join changes nothing.
    """
    member = await get(session, guild_id, user_id)
    if member is None or at < member.joined_at:
        return member
    member.in_guild = False
    member.left_at = at
    session.add(member)
    await session.flush()
    return member


async def in_guild_user_ids(session: AsyncSession, guild_id: int) -> list[int]:
    """Ids of members currently in the guild."""
    result = await session.exec(
        select(Member.user_id).where(Member.guild_id == guild_id, col(Member.in_guild).is_(True))
    )
    return list(result.all())


@dataclass(frozen=True)
class RosterEntry:
    """What the roster holds of one member: present or not, and since when."""

    in_guild: bool
    joined_at: datetime
    left_at: datetime | None
    join_source: str


_ROSTER_COLUMNS = [
    col(column)
    for column in (
        Member.user_id,
        Member.in_guild,
        Member.joined_at,
        Member.left_at,
        Member.join_source,
    )
]


async def roster(session: AsyncSession, guild_id: int) -> dict[int, RosterEntry]:
    """Every member the bot knows in the guild, present or gone (one query)."""
    result = await execute(
        session,
        core_select(*_ROSTER_COLUMNS).where(col(Member.guild_id) == guild_id),
    )
    return {int(u): RosterEntry(bool(i), j, left, src) for u, i, j, left, src in result.all()}


async def last_seen(
    session: AsyncSession, guild_id: int, user_ids: Iterable[int]
) -> dict[int, datetime]:
    """Each member's latest logged interaction other than a leave (members with none are
    absent)."""
    found: dict[int, datetime] = {}
    ids = sorted(set(user_ids))
    for start in range(0, len(ids), 500):
        result = await session.exec(
            select(Interaction.user_id, func.max(Interaction.at))
            .where(
                Interaction.guild_id == guild_id,
                col(Interaction.user_id).in_(ids[start : start + 500]),
                Interaction.kind != "leave",
            )
            .group_by(col(Interaction.user_id))
        )
        found.update((int(u), at) for u, at in result.all() if at is not None)
    return found


async def set_sources(
    session: AsyncSession, guild_id: int, user_ids: Iterable[int], source: str
) -> int:
    """Note where these members came from, unless a source is already known (the first
    live join's counts); how many rows changed."""
    ids = sorted(set(user_ids))
    changed = 0
    for start in range(0, len(ids), 500):
        result = await session.exec(
            update(Member)
            .where(
                col(Member.guild_id) == guild_id,
                col(Member.user_id).in_(ids[start : start + 500]),
                col(Member.source).is_(None),
            )
            .values(source=source)
        )
        changed += result.rowcount
    return changed
