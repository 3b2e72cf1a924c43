"""Computing one guild's week from the rollups (definitions: docs/metrics.md)."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta

from bot.services.stats.drops_block import item_weeks
from bot.services.stats.funnel import funnel_steps
from bot.services.stats.paid import converted, paid_week
from bot.services.stats.qa import qa_block
from bot.services.stats.report import (
    Activity,
    Cohort,
    ContentStat,
    Funnel,
    Helper,
    Members,
    Paid,
    WeeklyReport,
    ratio,
)
from bot.services.stats.sources import source_numbers
from bot.services.stats.weeks import GuildCalendar, IsoWeek
from storage.database import Session
from storage.stats import feedback_reads, helpers, reads

COHORTS = 8  # join-week cohorts in the table, the report's week included
COHORT_WEEKS = 8  # weeks since joining, at most
MAU_DAYS = 30
HISTORY_WEEKS = 8  # daily active members shown in the chart
CONVERSION_DAYS = 30


async def weekly_report(
    session: Session, guild_id: int, week: IsoWeek, calendar: GuildCalendar
) -> WeeklyReport:
    """Every number of `week` for `guild_id`, read from up-to-date rollups."""
    start, end = calendar.week_start(week), calendar.week_end(week)
    first_day, end_day = week.monday, week.monday + timedelta(days=7)
    members = await _members(session, guild_id, first_day, end_day, start, end)
    retained = members.start - await reads.left_and_not_back(session, guild_id, start, end)
    retention = ratio(retained, members.start)
    history = await _daily_active(
        session, guild_id, end_day - timedelta(weeks=HISTORY_WEEKS), end_day
    )
    week_days = history[-7:]
    wau, interactions, communicators = await reads.week_totals(session, guild_id, week.monday)
    mau = await reads.distinct_active(
        session, guild_id, end_day - timedelta(days=MAU_DAYS), end_day - timedelta(days=1)
    )
    dau_mean = sum(count for _, count in week_days) / 7
    cohorts = await _cohorts(session, guild_id, week, calendar)
    previous = next((c for c in cohorts if c.week == week.shift(-1)), None)
    joiners = await reads.first_joins_between(session, guild_id, start, end)
    return WeeklyReport(
        guild_id=guild_id,
        week=week,
        timezone=calendar.timezone,
        start=start,
        end=end,
        members=members,
        net_growth=ratio(members.end - members.start, members.start),
        member_retention=retention,
        churn=None if retention is None else 1 - retention,
        new_member_retention=previous.retention[1] if previous else None,
        activity=Activity(
            interactions=interactions,
            per_member=ratio(interactions, members.end),
            per_active_member=ratio(interactions, wau),
        ),
        daily_active=tuple(week_days),
        dau_mean=dau_mean,
        wau=wau,
        mau=mau,
        stickiness=ratio(dau_mean, mau),
        communicators=communicators,
        cohorts=cohorts,
        content=await _content(session, guild_id, start, end, members.end),
        drops=await item_weeks(session, guild_id, start, end, members.end),
        paid=await _paid(session, guild_id, start, end, end_day, calendar),
        qa=await qa_block(session, guild_id, start, end),
        funnel=await _funnel(session, guild_id, week, joiners, end, calendar),
        daily_active_history=tuple(history),
        feedback=await feedback_reads.feedback_between(session, guild_id, start, end),
        top_helpers=tuple(
            Helper(user_id, points)
            for user_id, points in await helpers.top_helpers(session, guild_id, week.monday, 5)
        ),
    )


async def _members(
    session: Session, guild_id: int, first_day: date, end_day: date, start: datetime, end: datetime
) -> Members:
    at_start = await reads.members_before(session, guild_id, first_day)
    days = await reads.guild_days(session, guild_id, first_day, end_day - timedelta(days=1))
    joined = sum(row[3] for row in days.values())
    left = sum(row[4] for row in days.values())
    return Members(start=at_start, end=at_start + joined - left, joined=joined, left=left)


async def _daily_active(
    session: Session, guild_id: int, first_day: date, end_day: date
) -> list[tuple[date, int]]:
    rows = await reads.guild_days(session, guild_id, first_day, end_day - timedelta(days=1))
    count = (end_day - first_day).days
    days = [first_day + timedelta(days=i) for i in range(count)]
    return [(day, rows[day][0] if day in rows else 0) for day in days]


async def _cohorts(
    session: Session, guild_id: int, week: IsoWeek, calendar: GuildCalendar
) -> tuple[Cohort, ...]:
    oldest = week.shift(-(COHORTS - 1))
    members: dict[IsoWeek, list[int]] = {}
    for k in range(COHORTS):
        cohort_week = oldest.shift(k)
        members[cohort_week] = await reads.first_joiners(
            session, guild_id, calendar.week_start(cohort_week), calendar.week_end(cohort_week)
        )
    everyone = [u for users in members.values() for u in users]
    active = await reads.active_weeks(session, guild_id, everyone, oldest.monday, week.monday)
    cohorts = []
    for cohort_week, users in members.items():
        seen = min(week - cohort_week, COHORT_WEEKS)
        counts = Counter(monday for u in users for monday in active.get(u, ()))
        retention = tuple(
            ratio(counts[cohort_week.shift(k).monday], len(users)) for k in range(seen + 1)
        )
        cohorts.append(Cohort(week=cohort_week, size=len(users), retention=retention))
    return tuple(cohorts)


async def _content(
    session: Session, guild_id: int, start: datetime, end: datetime, members_end: int
) -> tuple[ContentStat, ...]:
    opens = await reads.content_opens(session, guild_id, start, end)
    total = sum(count for _, count, _ in opens)
    ids = [int(ref) for ref, _, _ in opens if ref.isdigit()]
    titles = await reads.content_titles(session, guild_id, ids)
    stats = [
        ContentStat(
            content_id=ref,
            title=titles.get(int(ref)) if ref.isdigit() else None,
            opens=count,
            share=ratio(count, total),
            reach=ratio(people, members_end),
        )
        for ref, count, people in opens
    ]
    stats.sort(key=lambda c: (-c.opens, int(c.content_id) if c.content_id.isdigit() else 0))
    return tuple(stats)


async def _paid(
    session: Session,
    guild_id: int,
    start: datetime,
    end: datetime,
    end_day: date,
    calendar: GuildCalendar,
) -> Paid:
    week = paid_week(await reads.paid_spans_overlapping(session, guild_id, start, end), start, end)
    cohort_start = calendar.day_start(end_day - timedelta(days=2 * CONVERSION_DAYS))
    cohort_end = calendar.day_start(end_day - timedelta(days=CONVERSION_DAYS))
    cohort = await reads.first_joins_between(session, guild_id, cohort_start, cohort_end)
    first_paid = await reads.first_paid_starts(session, guild_id, list(cohort))
    conversions = sum(
        converted(joined, first_paid.get(user), min(joined + timedelta(days=CONVERSION_DAYS), end))
        for user, joined in cohort.items()
    )
    return Paid(
        paying_start=week.paying_start,
        paying=week.paying_end,
        new=week.new,
        churned=week.churned,
        mrr=week.mrr,
        conversion_30d=ratio(conversions, len(cohort)),
        conversion_cohort=len(cohort),
    )


async def _funnel(
    session: Session,
    guild_id: int,
    week: IsoWeek,
    joiners: dict[int, datetime],
    end: datetime,
    calendar: GuildCalendar,
) -> Funnel:
    start = min(joiners.values(), default=end)
    onboarded = await reads.onboarded_before(session, guild_id, list(joiners), start, end)
    active = await reads.active_in_week(session, guild_id, week.monday, onboarded)
    first_paid = await reads.first_paid_starts(session, guild_id, list(active))
    paid = {
        user
        for user in active
        if converted(
            joiners[user],
            first_paid.get(user),
            min(joiners[user] + timedelta(days=CONVERSION_DAYS), end),
        )
    }
    return Funnel(
        joined=len(joiners),
        onboarded=len(onboarded),
        active=len(active),
        paid=len(paid),
        steps=await funnel_steps(session, guild_id, joiners, end),
        sources=await source_numbers(session, guild_id, week, calendar, end),
    )
