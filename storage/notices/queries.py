"""Queries on queued notices."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from storage.notices.models import BillingNotice, NoticeTarget
from storage.outbox import pending


async def queue_notice(
    session: AsyncSession,
    guild_id: int,
    target: str,
    text: str,
    *,
    at: datetime,
    user_id: int | None = None,
) -> BillingNotice:
    """Queue a DM to a member (`dm`) or a post to the moderators' log (`mod_log`)."""
    notice = BillingNotice(
        guild_id=guild_id, user_id=user_id, target=NoticeTarget(target), text=text, created_at=at
    )
    session.add(notice)
    await session.flush()
    return notice


async def pending_notices(
    session: AsyncSession, *, limit: int, exclude: Collection[int] = ()
) -> list[BillingNotice]:
    """Notices not sent yet, oldest first, skipping the `exclude` ids."""
    return await pending(session, BillingNotice, limit, exclude)


async def notice(session: AsyncSession, notice_id: int) -> BillingNotice | None:
    """One notice."""
    return await session.get(BillingNotice, notice_id)
