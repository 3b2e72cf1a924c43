"""Queries on the library and the drops; they never commit."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import bindparam, func, text, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.drops.models import ContentItem, DripUnlock, Drop, DropMember

OPEN_STATUSES = ("scheduled", "posting")
_WORD = re.compile(r"\w+")
MAX_SEARCH_WORDS = 8


def search_text(title: str, summary: str, tags: Sequence[str]) -> str:
    """What search reads for an item: its words, lower-case."""
    return " ".join((title, summary, *tags)).lower()


def _is_sqlite(session: AsyncSession) -> bool:
    bind = session.get_bind()
    return bind.dialect.name == "sqlite"


async def save_item(session: AsyncSession, item: ContentItem) -> ContentItem:
    """Insert or update an item and its search entry."""
    item.search_text = search_text(item.title, item.summary, item.tags)
    session.add(item)
    await session.flush()
    if _is_sqlite(session):
        await session.exec(
            text("DELETE FROM content_fts WHERE rowid = :id").bindparams(id=item.id)  # type: ignore[call-overload]
        )
        if item.removed_at is None:
            await session.exec(
                text("INSERT INTO content_fts (rowid, search_text) VALUES (:id, :t)").bindparams(  # type: ignore[call-overload]
                    id=item.id, t=item.search_text
                )
            )
    return item


async def item(
    session: AsyncSession, guild_id: int, content_id: int, *, removed: bool = False
) -> ContentItem | None:
    """One item of the guild (a removed one only when asked)."""
    found = await session.get(ContentItem, content_id)
    if found is None or found.guild_id != guild_id:
        return None
    if found.removed_at is not None and not removed:
        return None
    return found


async def items(
    session: AsyncSession, guild_id: int, *, status: str = "published"
) -> list[ContentItem]:
    """The guild's items in a status (not removed), newest first."""
    result = await session.exec(
        select(ContentItem)
        .where(
            ContentItem.guild_id == guild_id,
            ContentItem.status == status,
            col(ContentItem.removed_at).is_(None),
        )
        .order_by(col(ContentItem.id).desc())
    )
    return list(result.all())


async def matching_ids(session: AsyncSession, guild_id: int, query: str) -> set[int]:
    """Ids of the guild's items whose title, summary or tags hold every word (as prefixes)."""
    words = [w.lower() for w in _WORD.findall(query)][:MAX_SEARCH_WORDS]
    if not words:
        return set()
    if _is_sqlite(session):
        match = " ".join(f'"{w}"*' for w in words)
        statement = text(
            "SELECT f.rowid FROM content_fts f JOIN content_items c ON c.id = f.rowid "
            "WHERE content_fts MATCH :match AND c.guild_id = :guild"
        ).bindparams(match=match, guild=guild_id)
    else:
        statement = text(
            "SELECT id FROM content_items WHERE guild_id = :guild AND removed_at IS NULL AND "
            "to_tsvector('simple', search_text) @@ to_tsquery('simple', :match)"
        ).bindparams(match=" & ".join(f"{w}:*" for w in words), guild=guild_id)
    result = await session.exec(statement)  # type: ignore[call-overload]
    return {int(row[0]) for row in result.all()}


async def titles_like(
    session: AsyncSession, guild_id: int, typed: str, limit: int = 25
) -> list[tuple[int, str]]:
    """(id, title) of live items whose title contains `typed`, for autocomplete."""
    statement = select(ContentItem.id, ContentItem.title).where(
        ContentItem.guild_id == guild_id, col(ContentItem.removed_at).is_(None)
    )
    if typed.strip():
        statement = statement.where(
            func.lower(ContentItem.title).contains(typed.strip().lower(), autoescape=True)
        )
    result = await session.exec(statement.order_by(col(ContentItem.id).desc()).limit(limit))
    return [(int(i or 0), str(title)) for i, title in result.all()]


# -- drops -------------------------------------------------------------------------------


async def save_drop(session: AsyncSession, row: Drop) -> Drop:
    """Insert or update a drop."""
    session.add(row)
    await session.flush()
    return row


async def drop(session: AsyncSession, guild_id: int, drop_id: int) -> Drop | None:
    """One drop of the guild."""
    found = await session.get(Drop, drop_id)
    return found if found is not None and found.guild_id == guild_id else None


async def drop_by_id(session: AsyncSession, drop_id: int) -> Drop | None:
    """One drop, whatever its guild."""
    return await session.get(Drop, drop_id)


async def upcoming(session: AsyncSession, guild_id: int, limit: int = 25) -> list[Drop]:
    """The guild's drops still to post, soonest first."""
    result = await session.exec(
        select(Drop)
        .where(Drop.guild_id == guild_id, col(Drop.status).in_(OPEN_STATUSES))
        .order_by(col(Drop.due_at), col(Drop.id))
        .limit(limit)
    )
    return list(result.all())


async def next_due(session: AsyncSession) -> datetime | None:
    """When the earliest scheduled drop is due."""
    result = await session.exec(select(func.min(Drop.due_at)).where(Drop.status == "scheduled"))
    return result.one()


async def claim_due(session: AsyncSession, now: datetime, limit: int) -> list[Drop]:
    """Scheduled drops due by `now`, taken into `posting` (one more attempt each)."""
    statement = (
        select(Drop)
        .where(Drop.status == "scheduled", col(Drop.due_at) <= now)
        .order_by(col(Drop.due_at), col(Drop.id))
        .limit(limit)
    )
    if not _is_sqlite(session):
        statement = statement.with_for_update(skip_locked=True)
    rows = list((await session.exec(statement)).all())
    if not rows:
        return rows
    table = Drop.__table__  # type: ignore[attr-defined]
    connection = await session.connection()
    await connection.execute(
        update(table)
        .where(table.c.id.in_([row.id for row in rows]))
        .values(status="posting", attempts=table.c.attempts + 1)
    )
    for row in rows:  # what the statement wrote, without marking the objects dirty
        set_committed_value(row, "status", "posting")
        set_committed_value(row, "attempts", row.attempts + 1)
    return rows


async def in_posting(session: AsyncSession) -> list[Drop]:
    """Drops left in `posting` (a post may be out): what a restart must check first."""
    result = await session.exec(select(Drop).where(Drop.status == "posting"))
    return list(result.all())


async def mark_posted(
    session: AsyncSession, drop_ids_messages: Sequence[tuple[int, int]], at: datetime
) -> None:
    """Many drops posted, with their message ids, in one executemany."""
    if not drop_ids_messages:
        return
    table = Drop.__table__  # type: ignore[attr-defined]
    statement = (
        update(table)
        .where(table.c.id == bindparam("drop_id"), table.c.status == "posting")
        .values(status="posted", message_id=bindparam("message"), posted_at=at, last_error=None)
    )
    connection = await session.connection()
    await connection.execute(
        statement, [{"drop_id": d, "message": m} for d, m in drop_ids_messages]
    )


async def items_by_id(session: AsyncSession, content_ids: set[int]) -> dict[int, ContentItem]:
    """Items by id (removed ones too), whatever their guild."""
    if not content_ids:
        return {}
    result = await session.exec(select(ContentItem).where(col(ContentItem.id).in_(content_ids)))
    return {row.id or 0: row for row in result.all()}


async def posted_message_ids(session: AsyncSession) -> dict[int, int]:
    """Message and thread ids of posted drops -> their content id."""
    result = await session.exec(
        select(Drop.message_id, Drop.thread_id, Drop.content_id).where(Drop.status == "posted")
    )
    found: dict[int, int] = {}
    for message_id, thread_id, content_id in result.all():
        for key in (message_id, thread_id):
            if key:
                found[int(key)] = content_id
    return found


async def event_drops(session: AsyncSession, since: datetime) -> list[Drop]:
    """Live-session drops starting at or after `since` (not canceled)."""
    result = await session.exec(
        select(Drop).where(
            col(Drop.event_id).is_not(None),
            col(Drop.scheduled_at) >= since,
            col(Drop.status).in_(("scheduled", "posting", "posted")),
        )
    )
    return list(result.all())


async def unreminded_events(session: AsyncSession, now: datetime) -> list[Drop]:
    """Live sessions still to start whose reminder has not gone out."""
    result = await session.exec(
        select(Drop).where(
            col(Drop.event_id).is_not(None),
            col(Drop.reminded_at).is_(None),
            Drop.status == "scheduled",
            col(Drop.scheduled_at) > now,
        )
    )
    return list(result.all())


async def set_threads(session: AsyncSession, drop_threads: Sequence[tuple[int, int]]) -> None:
    """Remember each drop's discussion thread (one executemany)."""
    if not drop_threads:
        return
    table = Drop.__table__  # type: ignore[attr-defined]
    statement = (
        update(table)
        .where(table.c.id == bindparam("drop_id"))
        .values(thread_id=bindparam("thread"))
    )
    connection = await session.connection()
    await connection.execute(statement, [{"drop_id": d, "thread": t} for d, t in drop_threads])


async def drop_by_message(session: AsyncSession, message_id: int) -> Drop | None:
    """The drop posted as this message (likes), or whose thread this is (comments)."""
    result = await session.exec(
        select(Drop).where((Drop.message_id == message_id) | (Drop.thread_id == message_id))
    )
    return result.first()


async def posted_drops(session: AsyncSession, guild_id: int, content_id: int) -> list[Drop]:
    """The drops of an item that posted."""
    result = await session.exec(
        select(Drop).where(
            Drop.guild_id == guild_id, Drop.content_id == content_id, Drop.status == "posted"
        )
    )
    return list(result.all())


# -- drip --------------------------------------------------------------------------------


async def member(session: AsyncSession, guild_id: int, user_id: int) -> DropMember | None:
    """When the member joined and first paid, as drops knows it."""
    result = await session.exec(
        select(DropMember).where(DropMember.guild_id == guild_id, DropMember.user_id == user_id)
    )
    return result.first()


async def note_member(
    session: AsyncSession,
    guild_id: int,
    user_id: int,
    *,
    joined_at: datetime | None = None,
    paid_since: datetime | None = None,
) -> DropMember:
    """Remember the first join and the first paid start (later ones change nothing)."""
    row = await member(session, guild_id, user_id) or DropMember(guild_id=guild_id, user_id=user_id)
    if joined_at is not None and row.joined_at is None:
        row.joined_at = joined_at
    if paid_since is not None and row.paid_since is None:
        row.paid_since = paid_since
    session.add(row)
    await session.flush()
    return row


async def dates(
    session: AsyncSession, guild_id: int, user_id: int
) -> tuple[datetime | None, datetime | None]:
    """When the member first joined and first paid: drops' own row, else the log."""
    from storage.drops.reads import first_times

    row = await member(session, guild_id, user_id)
    joined, paid = (row.joined_at, row.paid_since) if row else (None, None)
    if joined is None or paid is None:
        logged_join, logged_paid = await first_times(session, guild_id, user_id)
        joined, paid = joined or logged_join, paid or logged_paid
    return joined, paid


async def members(session: AsyncSession, guild_id: int) -> list[DropMember]:
    """Every member drops knows of in the guild."""
    result = await session.exec(select(DropMember).where(DropMember.guild_id == guild_id))
    return list(result.all())


async def dripped_items(session: AsyncSession, guild_id: int) -> list[ContentItem]:
    """Published items that unlock per member."""
    result = await session.exec(
        select(ContentItem).where(
            ContentItem.guild_id == guild_id,
            ContentItem.status == "published",
            col(ContentItem.removed_at).is_(None),
            col(ContentItem.drip_days).is_not(None),
        )
    )
    return list(result.all())


async def unlocked_ids(session: AsyncSession, guild_id: int, user_id: int) -> set[int]:
    """Items already unlocked for (and told to) the member."""
    result = await session.exec(
        select(DripUnlock.content_id).where(
            DripUnlock.guild_id == guild_id, DripUnlock.user_id == user_id
        )
    )
    return set(result.all())


async def add_unlock(
    session: AsyncSession, guild_id: int, user_id: int, content_id: int, at: datetime
) -> None:
    """Record that an item unlocked for the member."""
    session.add(
        DripUnlock(guild_id=guild_id, user_id=user_id, content_id=content_id, unlocked_at=at)
    )
    await session.flush()


async def guild_ids(session: AsyncSession) -> list[int]:
    """Guilds with dripped items."""
    result = await session.exec(
        select(ContentItem.guild_id).where(col(ContentItem.drip_days).is_not(None)).distinct()
    )
    return list(result.all())
