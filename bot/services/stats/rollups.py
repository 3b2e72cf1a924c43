"""Keeps the stats rollups in step with the interaction log.

The cursor is the last interaction id read. A refresh reads the rows written since
(live, late or imported alike), and rebuilds only the local days, weeks and members
they touch, so its cost follows what changed, not the community's age.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from bot.clock import Clock
from bot.services.activity import ACTIVE_KINDS
from bot.services.stats.spans import (
    ABSENT_KINDS,
    MEMBERSHIP_KINDS,
    PAID_KINDS,
    membership_spans,
    paid_spans,
)
from bot.services.stats.weeks import GuildCalendar, monday_of
from storage.database import Database, Session
from storage.stats import rollups

log = logging.getLogger(__name__)

COMMUNICATION_KINDS = frozenset({"message", "reply", "answer"})
# On PostgreSQL a short transaction can commit a lower id after a higher one was read.
# When the row count just below the cursor changes, those ids are read again (rebuilding
# is idempotent, so reading a row twice is harmless).
LOOKBACK_IDS = 2000
# Past this many changed rows, every day between the oldest and newest is rebuilt
# instead of finding the touched days one row at a time (imports touch most of them).
EXACT_DAYS_LIMIT = 100_000
# Past this many members, their events are read in one pass over the guild's log.
PER_MEMBER_LIMIT = 2000


@dataclass
class RefreshSummary:
    """What one refresh did."""

    rows: int = 0
    days: int = 0
    weeks: int = 0
    members: int = 0
    payers: int = 0
    rebuilt_guilds: list[int] = field(default_factory=list)


class RollupRefresher:
    """Brings the rollups up to the newest interaction; safe to call at any time."""

    def __init__(self, db: Database, clock: Clock, timezone_of: Callable[[int], str]) -> None:
        self._db = db
        self._clock = clock
        self._timezone_of = timezone_of
        self._lock = asyncio.Lock()

    def calendar(self, guild_id: int) -> GuildCalendar:
        """The calendar of a guild's configured time zone."""
        return GuildCalendar(self._timezone_of(guild_id))

    async def refresh(self) -> RefreshSummary:
        """Read the log past the cursor and rebuild what it touched."""
        async with self._lock, self._db.transaction() as session:
            summary = RefreshSummary()
            last, window_rows = await rollups.lock_cursor(session)
            top = await rollups.max_interaction_id(session)
            late = await rollups.rows_between(session, last - LOOKBACK_IDS, last) != window_rows
            after = max(0, last - LOOKBACK_IDS) if late else last
            days = await self._timezone_changes(session, summary)
            if top > after:
                summary.rows = top - after
                for guild_id, touched in (await self._touched_days(session, after, top)).items():
                    days[guild_id] |= touched
                await rollups.copy_events(session, after, top, MEMBERSHIP_KINDS + PAID_KINDS)
                changed_first = await self._update_first_seen(session, after, top)
                movers = await rollups.users_with_kinds(session, after, top, MEMBERSHIP_KINDS)
                for guild_id, touched in (
                    await self._rebuild_spans(session, movers | changed_first, summary)
                ).items():
                    days[guild_id] |= touched
                payers = await rollups.users_with_kinds(session, after, top, PAID_KINDS)
                await self._rebuild_paid(session, payers, summary)
            await self._rebuild_days(session, days, summary)
            newest = max(top, last)
            window = await rollups.rows_between(session, newest - LOOKBACK_IDS, newest)
            await rollups.set_cursor(session, newest, window, self._clock.now())
        if summary.rows or summary.rebuilt_guilds:
            log.info(
                "stats rollups: %d rows read, %d days, %d weeks, %d members rebuilt",
                summary.rows,
                summary.days,
                summary.weeks,
                summary.members,
            )
        return summary

    async def _timezone_changes(
        self, session: Session, summary: RefreshSummary
    ) -> defaultdict[int, set[date]]:
        """Guilds whose time zone changed get every day rebuilt in the new zone."""
        days: defaultdict[int, set[date]] = defaultdict(set)
        for guild_id, zone in (await rollups.guild_timezones(session)).items():
            wanted = self._timezone_of(guild_id)
            if zone == wanted:
                continue
            log.info("stats: guild %s moved from %s to %s; rebuilding", guild_id, zone, wanted)
            await rollups.clear_day_rollups(session, guild_id)
            await rollups.set_guild_timezone(session, guild_id, wanted)
            summary.rebuilt_guilds.append(guild_id)
            span = await rollups.guild_time_range(session, guild_id)
            if span is not None:
                days[guild_id] |= _days_between(self.calendar(guild_id), *span)
        return days

    async def _touched_days(self, session: Session, after: int, top: int) -> dict[int, set[date]]:
        known = await rollups.guild_timezones(session)
        days: defaultdict[int, set[date]] = defaultdict(set)
        if top - after > EXACT_DAYS_LIMIT:
            ranges = await rollups.changed_time_ranges(session, after, top)
            for guild_id, (low, high) in ranges.items():
                await self._remember_timezone(session, guild_id, known)
                days[guild_id] = _days_between(self.calendar(guild_id), low, high)
            return days
        calendars: dict[int, GuildCalendar] = {}
        async for batch in rollups.changed_rows(session, after, top):
            for guild_id, at in batch:
                calendar = calendars.get(guild_id)
                if calendar is None:
                    calendar = calendars[guild_id] = self.calendar(guild_id)
                    await self._remember_timezone(session, guild_id, known)
                days[guild_id].add(calendar.day_of(at))
        return days

    async def _remember_timezone(
        self, session: Session, guild_id: int, known: dict[int, str]
    ) -> None:
        zone = self._timezone_of(guild_id)
        if known.get(guild_id) != zone:
            await rollups.set_guild_timezone(session, guild_id, zone)
            known[guild_id] = zone

    async def _update_first_seen(
        self, session: Session, after: int, top: int
    ) -> set[tuple[int, int]]:
        """Move first joins earlier where the new rows show an earlier presence."""
        inserts: defaultdict[int, list[tuple[int, datetime]]] = defaultdict(list)
        updates: defaultdict[int, list[tuple[int, datetime]]] = defaultdict(list)
        for guild_id, user_id, at, stored in await rollups.earlier_first_presence(
            session, after, top, ABSENT_KINDS
        ):
            (updates if stored else inserts)[guild_id].append((user_id, at))
        changed: set[tuple[int, int]] = set()
        for guild_id in set(inserts) | set(updates):
            await rollups.write_first_seen(session, guild_id, inserts[guild_id], updates[guild_id])
            changed.update((guild_id, u) for u, _ in inserts[guild_id] + updates[guild_id])
        return changed

    async def _rebuild_spans(
        self, session: Session, members: set[tuple[int, int]], summary: RefreshSummary
    ) -> dict[int, set[date]]:
        by_guild: defaultdict[int, list[int]] = defaultdict(list)
        for guild_id, user_id in members:
            by_guild[guild_id].append(user_id)
        days: defaultdict[int, set[date]] = defaultdict(set)
        for guild_id, user_ids in by_guild.items():
            # Many members (an import): rebuild the whole guild in a few passes instead.
            whole_guild = len(user_ids) > PER_MEMBER_LIMIT
            wanted = None if whole_guild else user_ids
            firsts = await rollups.first_seen(session, guild_id, wanted)
            events: defaultdict[int, list[tuple[datetime, str]]] = defaultdict(list)
            for _, user_id, kind, _, at, _ in await rollups.events_of(
                session, guild_id, wanted, MEMBERSHIP_KINDS
            ):
                events[user_id].append((at, kind))
            everyone = set(firsts) | set(events) if whole_guild else set(user_ids)
            spans = {u: membership_spans(firsts.get(u), events.get(u, [])) for u in everyone}
            calendar = self.calendar(guild_id)
            boundaries = await rollups.replace_member_spans(
                session, guild_id, spans, whole_guild=whole_guild
            )
            days[guild_id] |= {calendar.day_of(b) for b in boundaries}
            summary.members += len(everyone)
        return days

    async def _rebuild_paid(
        self, session: Session, payers: set[tuple[int, int]], summary: RefreshSummary
    ) -> None:
        by_guild: defaultdict[int, list[int]] = defaultdict(list)
        for guild_id, user_id in payers:
            by_guild[guild_id].append(user_id)
        for guild_id, user_ids in by_guild.items():
            events = await rollups.events_of(session, guild_id, user_ids, PAID_KINDS)
            spans = paid_spans([(u, kind, ref, at, meta) for _, u, kind, ref, at, meta in events])
            await rollups.replace_paid_spans(
                session,
                guild_id,
                user_ids,
                [
                    rollups.PaidSpanRow(
                        s.user_id,
                        s.tier_key,
                        s.started_at,
                        s.ended_at,
                        s.monthly_amount,
                        s.currency,
                    )
                    for s in spans
                ],
            )
            summary.payers += len(user_ids)

    async def _rebuild_days(
        self, session: Session, days: dict[int, set[date]], summary: RefreshSummary
    ) -> None:
        for guild_id, touched in days.items():
            if not touched:
                continue
            calendar = self.calendar(guild_id)
            ordered = sorted(touched)
            await rollups.clear_member_days(session, guild_id, ordered)
            for day in ordered:
                start, end = calendar.day_start(day), calendar.day_start(day + timedelta(days=1))
                await rollups.fill_member_day(
                    session, guild_id, day, start, end, ACTIVE_KINDS, COMMUNICATION_KINDS
                )
            await self._rebuild_guild_days(session, guild_id, calendar, ordered)
            weeks = sorted({monday_of(day) for day in ordered})
            for monday in weeks:
                await rollups.rebuild_member_week(session, guild_id, monday)
            summary.days += len(ordered)
            summary.weeks += len(weeks)

    @staticmethod
    async def _rebuild_guild_days(
        session: Session, guild_id: int, calendar: GuildCalendar, days: list[date]
    ) -> None:
        activity = await rollups.day_activity(session, guild_id, days)
        joined, left = await rollups.span_boundaries(
            session,
            guild_id,
            calendar.day_start(days[0]),
            calendar.day_start(days[-1] + timedelta(days=1)),
        )
        joins = Counter(calendar.day_of(at) for at in joined)
        leaves = Counter(calendar.day_of(at) for at in left)
        rows = [
            rollups.GuildDayRow(day, *activity.get(day, (0, 0, 0)), joins[day], leaves[day])
            for day in days
            if day in activity or joins[day] or leaves[day]
        ]
        await rollups.replace_guild_days(session, guild_id, days, rows)


def _days_between(calendar: GuildCalendar, low: datetime, high: datetime) -> set[date]:
    first, last = calendar.day_of(low), calendar.day_of(high)
    return {first + timedelta(days=i) for i in range((last - first).days + 1)}
