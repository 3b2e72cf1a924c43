"""What the onboarding funnel and the per-source numbers read: step times and sources."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, select
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.stats import tables as t
from storage.stats.sql import as_utc, chunks, execute

onboarding_members = SQLModel.metadata.tables["onboarding_members"]
onboarding_invites = SQLModel.metadata.tables["onboarding_invites"]


async def onboarded_times(
    session: AsyncSession, guild_id: int, user_ids: Iterable[int], since: datetime, end: datetime
) -> dict[int, datetime]:
    """When each of these members first became a member (roster time, else the first
    `onboarded` row in [since, end)), when before `end`."""
    found: dict[int, datetime] = {}
    for part in chunks(sorted(set(user_ids))):
        logged = await execute(
            session,
            select(t.interactions.c.user_id, func.min(t.interactions.c.at))
            .where(
                t.interactions.c.guild_id == guild_id,
                t.interactions.c.user_id.in_(part),
                t.interactions.c.kind == "onboarded",
                t.interactions.c.at >= since,
                t.interactions.c.at < end,
            )
            .group_by(t.interactions.c.user_id),
        )
        found.update((int(u), as_utc(at)) for u, at in logged.all() if at is not None)
        roster = await execute(
            session,
            select(t.members.c.user_id, t.members.c.onboarded_at).where(
                t.members.c.guild_id == guild_id,
                t.members.c.user_id.in_(part),
                t.members.c.onboarded_at < end,
            ),
        )
        for user, at in roster.all():
            moment = as_utc(at)
            found[int(user)] = min(moment, found.get(int(user), moment))
    return found


async def interests_times(
    session: AsyncSession, guild_id: int, user_ids: Iterable[int], end: datetime
) -> dict[int, datetime]:
    """When each of these members first picked interests (before `end`)."""
    m = onboarding_members
    found: dict[int, datetime] = {}
    for part in chunks(sorted(set(user_ids))):
        result = await execute(
            session,
            select(m.c.user_id, m.c.interests_at).where(
                m.c.guild_id == guild_id, m.c.user_id.in_(part), m.c.interests_at < end
            ),
        )
        found.update((int(u), as_utc(at)) for u, at in result.all())
    return found


async def first_of_kinds(
    session: AsyncSession,
    guild_id: int,
    user_ids: Iterable[int],
    kinds: Iterable[str],
    since: datetime,
    end: datetime,
) -> dict[int, datetime]:
    """Each member's first interaction of these kinds in [since, end)."""
    i = t.interactions
    found: dict[int, datetime] = {}
    for part in chunks(sorted(set(user_ids))):
        result = await execute(
            session,
            select(i.c.user_id, func.min(i.c.at))
            .where(
                i.c.guild_id == guild_id,
                i.c.user_id.in_(part),
                i.c.kind.in_(sorted(set(kinds))),
                i.c.at >= since,
                i.c.at < end,
            )
            .group_by(i.c.user_id),
        )
        found.update((int(u), as_utc(at)) for u, at in result.all() if at is not None)
    return found


async def sources(
    session: AsyncSession, guild_id: int, user_ids: Iterable[int]
) -> dict[int, str | None]:
    """Where each of these members came from (`members.source`; None: never attributed)."""
    found: dict[int, str | None] = {}
    for part in chunks(sorted(set(user_ids))):
        result = await execute(
            session,
            select(t.members.c.user_id, t.members.c.source).where(
                t.members.c.guild_id == guild_id, t.members.c.user_id.in_(part)
            ),
        )
        found.update((int(u), s) for u, s in result.all())
    return found


async def campaign_names(session: AsyncSession, guild_id: int) -> dict[str, str]:
    """Invite code → the campaign name moderators gave it."""
    v = onboarding_invites
    result = await execute(session, select(v.c.code, v.c.campaign).where(v.c.guild_id == guild_id))
    return {str(code): str(name) for code, name in result.all()}
