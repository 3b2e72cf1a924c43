"""Storing member presence, first joins, copied membership and billing events, and spans."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, case, delete, func, insert, not_, or_, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.stats import tables as t
from storage.stats.sql import as_utc, chunks, execute


@dataclass(frozen=True)
class Presence:
    """A member's changed rows: the first and last, the first that proves them present
    (None when no row does), and the first join stored."""

    guild_id: int
    user_id: int
    first: datetime
    last: datetime
    first_present: datetime | None
    stored_first: datetime | None


async def presence_in(
    session: AsyncSession,
    after_id: int,
    upto_id: int,
    absent_kinds: Iterable[str],
    untimed: tuple[str, str],
) -> list[Presence]:
    """Per member with changed rows showing presence: their first and last such row, the
    first that is not `untimed` (a kind whose `source_key` starts with a prefix), and their
    stored first join (one pass over the changed rows)."""
    i = t.interactions
    untimed_kind, untimed_prefix = untimed
    timed = or_(
        i.c.kind != untimed_kind,
        i.c.source_key.is_(None),
        not_(i.c.source_key.startswith(untimed_prefix)),
    )
    fresh = (
        select(
            i.c.guild_id,
            i.c.user_id,
            func.min(i.c.at).label("first_at"),
            func.max(i.c.at).label("last_at"),
            func.min(case((timed, i.c.at))).label("first_present"),
        )
        .where(i.c.id > after_id, i.c.id <= upto_id, i.c.kind.not_in(list(absent_kinds)))
        .group_by(i.c.guild_id, i.c.user_id)
        .subquery()
    )
    stored = t.member_first
    result = await execute(
        session,
        select(
            fresh.c.guild_id,
            fresh.c.user_id,
            fresh.c.first_at,
            fresh.c.last_at,
            fresh.c.first_present,
            stored.c.first_at,
        ).select_from(
            fresh.outerjoin(
                stored,
                and_(stored.c.guild_id == fresh.c.guild_id, stored.c.user_id == fresh.c.user_id),
            )
        ),
    )
    return [
        Presence(
            int(g),
            int(u),
            as_utc(low),
            as_utc(high),
            None if present is None else as_utc(present),
            None if old is None else as_utc(old),
        )
        for g, u, low, high, present, old in result.all()
    ]


async def event_users(
    session: AsyncSession, after_id: int, upto_id: int
) -> set[tuple[int, int, str]]:
    """(guild, user, kind) of the copied membership and billing events with ids in range."""
    e = t.events
    result = await execute(
        session,
        select(e.c.guild_id, e.c.user_id, e.c.kind)
        .where(e.c.interaction_id > after_id, e.c.interaction_id <= upto_id)
        .distinct(),
    )
    return {(int(g), int(u), str(k)) for g, u, k in result.all()}


async def first_seen(
    session: AsyncSession, guild_id: int, user_ids: Sequence[int]
) -> dict[int, datetime]:
    """The stored first join of these members."""
    f = t.member_first
    found: dict[int, datetime] = {}
    for part in chunks(sorted(set(user_ids))):
        result = await execute(
            session,
            select(f.c.user_id, f.c.first_at).where(
                f.c.guild_id == guild_id, f.c.user_id.in_(part)
            ),
        )
        found.update((int(u), as_utc(at)) for u, at in result.all())
    return found


async def write_first_seen(
    session: AsyncSession,
    guild_id: int,
    inserts: Sequence[tuple[int, datetime]],
    updates: Sequence[tuple[int, datetime]],
) -> None:
    """Insert new first joins and move existing ones earlier."""
    f = t.member_first
    if inserts:
        await execute(
            session,
            insert(f),
            [{"guild_id": guild_id, "user_id": u, "first_at": at} for u, at in inserts],
        )
    if updates:
        await execute(
            session,
            update(f)
            .where(f.c.guild_id == guild_id, f.c.user_id == bindparam("u"))
            .values(first_at=bindparam("at")),
            [{"u": u, "at": at} for u, at in updates],
        )


async def copy_events(
    session: AsyncSession, after_id: int, upto_id: int, kinds: Iterable[str]
) -> None:
    """Copy the changed rows of `kinds` into `stats_events` (again, if already there)."""
    e, i = t.events, t.interactions
    await execute(
        session, delete(e).where(e.c.interaction_id > after_id, e.c.interaction_id <= upto_id)
    )
    rows = select(i.c.id, i.c.guild_id, i.c.user_id, i.c.kind, i.c.ref, i.c.at, i.c.meta).where(
        i.c.id > after_id, i.c.id <= upto_id, i.c.kind.in_(list(kinds))
    )
    columns = ["interaction_id", "guild_id", "user_id", "kind", "ref", "at", "meta"]
    await execute(session, insert(e).from_select(columns, rows))


async def events_of(
    session: AsyncSession, guild_id: int, user_ids: Sequence[int], kinds: Iterable[str]
) -> list[tuple[int, int, str, str | None, datetime, dict[str, Any] | None]]:
    """(id, user, kind, ref, at, meta) of members' copied events of `kinds`, oldest first."""
    e = t.events
    columns = (e.c.interaction_id, e.c.user_id, e.c.kind, e.c.ref, e.c.at, e.c.meta)
    where = [e.c.guild_id == guild_id, e.c.kind.in_(list(kinds))]
    rows: list[tuple[int, int, str, str | None, datetime, dict[str, Any] | None]] = []
    for part in chunks(sorted(set(user_ids))):
        result = await execute(session, select(*columns).where(*where, e.c.user_id.in_(part)))
        rows.extend(
            (int(i), int(u), str(k), r, as_utc(at), m) for i, u, k, r, at, m in result.all()
        )
    rows.sort(key=lambda row: (row[4], row[0]))
    return rows


Span = tuple[datetime, datetime | None]


async def stored_spans(
    session: AsyncSession, guild_id: int, user_ids: Sequence[int]
) -> dict[int, list[Span]]:
    """The stored membership spans of these members, oldest first."""
    m = t.member_spans
    found: dict[int, list[Span]] = {}
    for part in chunks(sorted(set(user_ids))):
        result = await execute(
            session,
            select(m.c.user_id, m.c.joined_at, m.c.left_at).where(
                m.c.guild_id == guild_id, m.c.user_id.in_(part)
            ),
        )
        for user_id, joined, left in result.all():
            found.setdefault(int(user_id), []).append(
                (as_utc(joined), None if left is None else as_utc(left))
            )
    for spans in found.values():
        spans.sort(key=lambda span: span[0])
    return found


async def write_member_spans(
    session: AsyncSession, guild_id: int, spans: dict[int, list[Span]]
) -> None:
    """Replace these members' membership spans."""
    m = t.member_spans
    for part in chunks(sorted(spans)):
        await execute(session, delete(m).where(m.c.guild_id == guild_id, m.c.user_id.in_(part)))
    rows = [
        {"guild_id": guild_id, "user_id": user_id, "joined_at": joined, "left_at": left}
        for user_id, user_spans in spans.items()
        for joined, left in user_spans
    ]
    if rows:
        await execute(session, insert(m), rows)


@dataclass(frozen=True)
class PaidSpanRow:
    """A paid span to store."""

    user_id: int
    tier_key: str
    started_at: datetime
    ended_at: datetime | None
    monthly_amount: float | None
    currency: str | None


async def replace_paid_spans(
    session: AsyncSession, guild_id: int, user_ids: Sequence[int], spans: Sequence[PaidSpanRow]
) -> None:
    """Replace these members' paid spans."""
    for part in chunks(sorted(set(user_ids))):
        await execute(
            session,
            delete(t.paid_spans).where(
                t.paid_spans.c.guild_id == guild_id, t.paid_spans.c.user_id.in_(part)
            ),
        )
    if spans:
        await execute(
            session,
            insert(t.paid_spans),
            [
                {
                    "guild_id": guild_id,
                    "user_id": s.user_id,
                    "tier_key": s.tier_key,
                    "started_at": s.started_at,
                    "ended_at": s.ended_at,
                    "monthly_amount": s.monthly_amount,
                    "currency": s.currency,
                }
                for s in spans
            ],
        )


async def span_boundaries(
    session: AsyncSession, guild_id: int, start: datetime, end: datetime
) -> tuple[list[datetime], list[datetime]]:
    """The starts and the ends of membership spans that fall in [start, end)."""
    m = t.member_spans
    found = []
    for column in (m.c.joined_at, m.c.left_at):
        result = await execute(
            session,
            select(column).where(m.c.guild_id == guild_id, column >= start, column < end),
        )
        found.append([as_utc(at) for at in result.scalars().all()])
    return found[0], found[1]
