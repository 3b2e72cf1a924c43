"""The activity feature's personal data: the member row and their interaction-log rows.

A deletion keeps both under the pseudonym (the numbers of every past week stay exact):
the member row keeps only what cohorts need (first join, joins, leaves, onboarding time)
and loses the rest (interests). A member still in the guild is recorded as leaving under
the pseudonym at the deletion and, unless they opted out, as joining again under their id
at that same moment: the past stays theirs no more, and the present goes on.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, insert, update
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.activity.models import JoinSource, Member
from storage.interactions import Interaction
from storage.privacy import Erasure, in_guild, rewrite_mentions, table_of, table_rows
from storage.stats.sql import execute

TABLES = ("members", "interactions")


async def export_member(session: AsyncSession, guild_id: int, user_id: int) -> dict[str, Any]:
    """The member row and every logged interaction (ids and times; content is never kept)."""
    return {
        "member": await table_rows(session, Member, guild_id, user_id),
        "interactions": await table_rows(session, Interaction, guild_id, user_id, full_scan=True),
    }


async def forget_member(session: AsyncSession, erasure: Erasure) -> int:
    """Pseudonymise the member's interactions and member row; erase their interests."""
    log = table_of(Interaction)
    # One pass over the log (it has no per-member index): the id, and any key naming it.
    statement = (
        update(log)
        .where(in_guild(log, erasure.guild_id, full_scan=True), log.c.user_id == erasure.user_id)
        .values(
            user_id=erasure.pseudonym,
            source_key=func.replace(log.c.source_key, str(erasure.user_id), str(erasure.pseudonym)),
        )
    )
    changed = int((await execute(session, statement)).rowcount or 0)
    # Other members' rows that name this one in their details (a reply to, an invite by).
    changed += await rewrite_mentions(session, Interaction, "meta", erasure, full_scan=True)
    return changed + await _forget_member_row(session, erasure)


async def _forget_member_row(session: AsyncSession, erasure: Erasure) -> int:
    found = await session.exec(
        select(Member).where(Member.guild_id == erasure.guild_id, Member.user_id == erasure.user_id)
    )
    member = found.first()
    if member is None:
        return 0
    member.user_id = erasure.pseudonym
    member.interests = []
    rows: list[dict[str, Any]] = []
    if member.in_guild:
        member.in_guild = False
        member.left_at = erasure.at
        rows.append(_row(erasure, erasure.pseudonym, "leave"))
    session.add(member)
    await session.flush()
    if rows and not erasure.stop_recording:
        session.add(
            Member(
                guild_id=erasure.guild_id,
                user_id=erasure.user_id,
                first_joined_at=erasure.at,
                joined_at=erasure.at,
                join_source=JoinSource.LIVE,
            )
        )
        rows.append(_row(erasure, erasure.user_id, "join"))
        await session.flush()
    if rows:
        await execute(session, insert(table_of(Interaction)), rows)
    return 1


def _row(erasure: Erasure, user_id: int, kind: str) -> dict[str, Any]:
    return {
        "guild_id": erasure.guild_id,
        "user_id": user_id,
        "kind": kind,
        "channel_id": None,
        "ref": None,
        "at": erasure.at,
        "meta": {"reason": "privacy_delete"},
        "source_key": None,
    }
