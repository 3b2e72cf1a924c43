"""The reads behind a weekly report: each one touches a bounded window, never all history."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import distinct, exists, func, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.stats import tables as t
from storage.stats.sql import as_utc, chunks, execute


async def members_before(session: AsyncSession, guild_id: int, day: date) -> int:
    """Members in the guild at the start of a local day (joins minus leaves of every day before)."""
    result = await execute(
        session,
        select(func.coalesce(func.sum(t.guild_days.c.joins - t.guild_days.c.leaves), 0)).where(
            t.guild_days.c.guild_id == guild_id, t.guild_days.c.day < day
        ),
    )
    return int(result.scalar_one())


async def any_interaction_before(session: AsyncSession, guild_id: int, moment: datetime) -> bool:
    """True when the guild has logged anything before `moment`."""
    i = t.interactions
    result = await execute(
        session, select(i.c.id).where(i.c.guild_id == guild_id, i.c.at < moment).limit(1)
    )
    return result.first() is not None


async def guild_days(
    session: AsyncSession, guild_id: int, first: date, last: date
) -> dict[date, tuple[int, int, int, int, int]]:
    """(active members, interactions, communicators, joins, leaves) per day in [first, last]."""
    result = await execute(
        session,
        select(
            t.guild_days.c.day,
            t.guild_days.c.active_members,
            t.guild_days.c.interactions,
            t.guild_days.c.communicators,
            t.guild_days.c.joins,
            t.guild_days.c.leaves,
        ).where(
            t.guild_days.c.guild_id == guild_id,
            t.guild_days.c.day >= first,
            t.guild_days.c.day <= last,
        ),
    )
    return {row[0]: (row[1], row[2], row[3], row[4], row[5]) for row in result.all()}


async def left_and_not_back(
    session: AsyncSession, guild_id: int, start: datetime, end: datetime
) -> int:
    """Members present at `start` who are gone at `end`."""
    later = t.member_spans.alias()
    back = exists().where(
        later.c.guild_id == t.member_spans.c.guild_id,
        later.c.user_id == t.member_spans.c.user_id,
        later.c.joined_at < end,
        or_(later.c.left_at.is_(None), later.c.left_at >= end),
    )
    result = await execute(
        session,
        select(func.count(distinct(t.member_spans.c.user_id))).where(
            t.member_spans.c.guild_id == guild_id,
            t.member_spans.c.left_at >= start,
            t.member_spans.c.left_at < end,
            t.member_spans.c.joined_at < start,
            ~back,
        ),
    )
    return int(result.scalar_one())


async def week_totals(session: AsyncSession, guild_id: int, monday: date) -> tuple[int, int, int]:
    """(active members, interactions, communicators) of one local week."""
    result = await execute(
        session,
        select(
            func.count(),
            func.coalesce(func.sum(t.member_weeks.c.interactions), 0),
            func.count().filter(t.member_weeks.c.communications > 0),
        ).where(t.member_weeks.c.guild_id == guild_id, t.member_weeks.c.week == monday),
    )
    active, interactions, communicators = result.one()
    return int(active), int(interactions), int(communicators)


async def distinct_active(session: AsyncSession, guild_id: int, first: date, last: date) -> int:
    """Distinct members active on any day in [first, last]."""
    result = await execute(
        session,
        select(func.count(distinct(t.member_days.c.user_id))).where(
            t.member_days.c.guild_id == guild_id,
            t.member_days.c.day >= first,
            t.member_days.c.day <= last,
        ),
    )
    return int(result.scalar_one())


async def first_joins_between(
    session: AsyncSession, guild_id: int, start: datetime, end: datetime
) -> dict[int, datetime]:
    """Members whose first join is in [start, end), with its time."""
    result = await execute(
        session,
        select(t.member_first.c.user_id, t.member_first.c.first_at).where(
            t.member_first.c.guild_id == guild_id,
            t.member_first.c.first_at >= start,
            t.member_first.c.first_at < end,
        ),
    )
    return {int(u): as_utc(at) for u, at in result.all()}


async def first_joiners(
    session: AsyncSession, guild_id: int, start: datetime, end: datetime
) -> list[int]:
    """Ids of the members whose first join is in [start, end)."""
    f = t.member_first
    result = await execute(
        session,
        select(f.c.user_id).where(
            f.c.guild_id == guild_id, f.c.first_at >= start, f.c.first_at < end
        ),
    )
    return [int(u) for u in result.scalars().all()]


async def active_weeks(
    session: AsyncSession, guild_id: int, user_ids: Iterable[int], first: date, last: date
) -> dict[int, set[date]]:
    """The local weeks (their Mondays, in [first, last]) each of these members was active."""
    w = t.member_weeks
    found: dict[int, set[date]] = {}
    for part in chunks(sorted(set(user_ids))):
        result = await execute(
            session,
            select(w.c.user_id, w.c.week).where(
                w.c.guild_id == guild_id,
                w.c.user_id.in_(part),
                w.c.week >= first,
                w.c.week <= last,
            ),
        )
        for user_id, week in result.all():
            found.setdefault(int(user_id), set()).add(week)
    return found


async def active_in_week(
    session: AsyncSession, guild_id: int, monday: date, user_ids: Iterable[int]
) -> set[int]:
    """Which of these members were active in the local week starting `monday`."""
    found: set[int] = set()
    for part in chunks(sorted(set(user_ids))):
        result = await execute(
            session,
            select(t.member_weeks.c.user_id).where(
                t.member_weeks.c.guild_id == guild_id,
                t.member_weeks.c.week == monday,
                t.member_weeks.c.user_id.in_(part),
            ),
        )
        found.update(int(u) for u in result.scalars().all())
    return found


async def onboarded_before(
    session: AsyncSession, guild_id: int, user_ids: Iterable[int], since: datetime, end: datetime
) -> set[int]:
    """Which of these members (none present before `since`) finished onboarding before `end`
    (on the roster, or an `onboarded` row in the log)."""
    found: set[int] = set()
    for part in chunks(sorted(set(user_ids))):
        roster = await execute(
            session,
            select(t.members.c.user_id).where(
                t.members.c.guild_id == guild_id,
                t.members.c.user_id.in_(part),
                t.members.c.onboarded_at < end,
            ),
        )
        found.update(int(u) for u in roster.scalars().all())
        logged = await execute(
            session,
            select(t.interactions.c.user_id)
            .distinct()
            .where(
                t.interactions.c.guild_id == guild_id,
                t.interactions.c.user_id.in_(part),
                t.interactions.c.kind == "onboarded",
                t.interactions.c.at >= since,
                t.interactions.c.at < end,
            ),
        )
        found.update(int(u) for u in logged.scalars().all())
    return found


async def content_opens(
    session: AsyncSession, guild_id: int, start: datetime, end: datetime
) -> list[tuple[str, int, int]]:
    """(content ref, opens, distinct openers) of the `drop_open` rows in [start, end)."""
    result = await execute(
        session,
        select(t.interactions.c.ref, func.count(), func.count(distinct(t.interactions.c.user_id)))
        .where(
            t.interactions.c.guild_id == guild_id,
            t.interactions.c.at >= start,
            t.interactions.c.at < end,
            t.interactions.c.kind == "drop_open",
        )
        .group_by(t.interactions.c.ref),
    )
    return [(str(ref), int(opens), int(people)) for ref, opens, people in result.all()]


async def content_titles(
    session: AsyncSession, guild_id: int, content_ids: Sequence[int]
) -> dict[int, str]:
    """Titles of these content items (missing ids are absent)."""
    titles: dict[int, str] = {}
    for part in chunks(sorted(set(content_ids))):
        result = await execute(
            session,
            select(t.content_items.c.id, t.content_items.c.title).where(
                t.content_items.c.guild_id == guild_id, t.content_items.c.id.in_(part)
            ),
        )
        titles.update((int(i), str(t)) for i, t in result.all())
    return titles


PaidSpanTuple = tuple[int, str, datetime, datetime | None, float | None, str | None]


async def paid_spans_overlapping(
    session: AsyncSession, guild_id: int, start: datetime, end: datetime
) -> list[PaidSpanTuple]:
    """(user, tier, started, ended, monthly amount, currency) of spans paying in [start, end]."""
    columns = (
        t.paid_spans.c.user_id,
        t.paid_spans.c.tier_key,
        t.paid_spans.c.started_at,
        t.paid_spans.c.ended_at,
        t.paid_spans.c.monthly_amount,
        t.paid_spans.c.currency,
    )
    base = [t.paid_spans.c.guild_id == guild_id, t.paid_spans.c.started_at < end]
    # Two index-friendly halves instead of one OR: still open, or ended since `start`.
    still_open = await execute(
        session, select(*columns).where(*base, t.paid_spans.c.ended_at.is_(None))
    )
    ended = await execute(session, select(*columns).where(*base, t.paid_spans.c.ended_at >= start))
    return [_paid_row(row) for row in [*still_open.all(), *ended.all()]]


async def first_paid_starts(
    session: AsyncSession, guild_id: int, user_ids: Iterable[int]
) -> dict[int, datetime]:
    """The first time each of these members started paying for anything."""
    found: dict[int, datetime] = {}
    for part in chunks(sorted(set(user_ids))):
        result = await execute(
            session,
            select(t.paid_spans.c.user_id, func.min(t.paid_spans.c.started_at))
            .where(t.paid_spans.c.guild_id == guild_id, t.paid_spans.c.user_id.in_(part))
            .group_by(t.paid_spans.c.user_id),
        )
        found.update((int(u), as_utc(at)) for u, at in result.all())
    return found


async def questions_asked(
    session: AsyncSession, guild_id: int, start: datetime, end: datetime
) -> list[tuple[datetime, datetime | None, int | None, datetime | None, int | None]]:
    """(created, first answer, first answerer, solved, accepted answerer) of questions asked."""
    result = await execute(
        session,
        select(
            t.questions.c.created_at,
            t.questions.c.first_answer_at,
            t.questions.c.first_answerer_id,
            t.questions.c.solved_at,
            t.questions.c.answerer_id,
        ).where(
            t.questions.c.guild_id == guild_id,
            t.questions.c.created_at >= start,
            t.questions.c.created_at < end,
        ),
    )
    return [
        (
            as_utc(created),
            None if answered is None else as_utc(answered),
            answerer,
            None if solved is None else as_utc(solved),
            accepted,
        )
        for created, answered, answerer, solved, accepted in result.all()
    ]


def _paid_row(row: Any) -> PaidSpanTuple:
    user, tier, started, ended, amount, currency = row
    return (
        int(user),
        str(tier),
        as_utc(started),
        None if ended is None else as_utc(ended),
        None if amount is None else float(amount),
        currency,
    )
