"""Queries of the privacy feature: requests, opt-outs, members who left long ago."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import col
from sqlmodel import select as model_select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.activity.models import Member
from storage.privacy import json_ready, table_of
from storage.privacy.models import PrivacyOptOut, PrivacyRequest
from storage.stats.sql import execute


async def add_request(
    session: AsyncSession,
    guild_id: int,
    subject: str,
    kind: str,
    at: datetime,
    *,
    stop_recording: bool = False,
) -> PrivacyRequest:
    """Record that a request was made (completed later in the same transaction)."""
    request = PrivacyRequest(
        guild_id=guild_id,
        subject=subject,
        kind=kind,
        requested_at=at,
        stop_recording=stop_recording,
    )
    session.add(request)
    await session.flush()
    return request


async def complete_request(
    session: AsyncSession,
    request: PrivacyRequest,
    at: datetime,
    rows: int,
    kept: dict[str, Any],
) -> None:
    """Record when a request was done, how many rows it changed and what it kept, and why."""
    request.completed_at = at
    request.rows = rows
    request.kept = kept
    session.add(request)
    await session.flush()


async def requests_of(session: AsyncSession, guild_id: int, subject: str) -> list[dict[str, Any]]:
    """The member's requests, oldest first, as JSON-ready dicts."""
    result = await session.exec(
        model_select(PrivacyRequest)
        .where(PrivacyRequest.guild_id == guild_id, PrivacyRequest.subject == subject)
        .order_by(col(PrivacyRequest.id))
    )
    return [
        {key: json_ready(value) for key, value in row.model_dump().items()} for row in result.all()
    ]


async def opted_out(session: AsyncSession) -> set[tuple[int, str]]:
    """(guild, subject) of every member who asked not to be recorded."""
    o = table_of(PrivacyOptOut)
    result = await execute(session, select(o.c.guild_id, o.c.subject))
    return {(int(g), str(s)) for g, s in result.all()}


async def add_opt_out(session: AsyncSession, guild_id: int, subject: str, at: datetime) -> None:
    """Remember that the member asked not to be recorded (once)."""
    if await session.get(PrivacyOptOut, (guild_id, subject)) is None:
        session.add(PrivacyOptOut(guild_id=guild_id, subject=subject, since=at))
        await session.flush()


async def departed_before(
    session: AsyncSession, guild_id: int, before: datetime, limit: int = 1000
) -> list[int]:
    """Members (real ids, not pseudonyms) who left the guild before `before` and are gone."""
    m = table_of(Member)
    result = await execute(
        session,
        select(m.c.user_id)
        .where(
            m.c.guild_id == guild_id,
            m.c.in_guild.is_(False),
            m.c.left_at < before,
            m.c.user_id > 0,
        )
        .order_by(m.c.user_id)
        .limit(limit),
    )
    return [int(u) for u in result.scalars().all()]
