"""Keeps the stats rollups in step with the interaction log.

The cursor is the last interaction id read. A refresh reads the rows written since
(live, late or imported alike), and rebuilds only the local days, weeks and members
they touch, so its cost follows what changed, not the community's age.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from bot.core.clock import Clock
from bot.core.kinds import ABSENT, ACTIVE, COMMUNICATION, MEMBERSHIP, PAID
from bot.services.stats.spans import UNTIMED, membership_spans, paid_spans
from bot.services.stats.weeks import GuildCalendar, monday_of
from storage.database import Database, Session
from storage.stats import cursor, retention, rollups
from storage.stats import spans as span_store

log = logging.getLogger(__name__)

# On PostgreSQL a short transaction can commit a lower id after a higher one was read.
# When the row count just below the cursor changes, those ids are read again (rebuilding
# is idempotent, so reading a row twice is harmless).
LOOKBACK_IDS = 2000
# Past this many changed rows, every day between the oldest and newest is rebuilt
# instead of finding the touched days one row at a time (imports touch most of them).
EXACT_DAYS_LIMIT = 100_000
# Members whose spans are rebuilt together (bounds memory when an import touches all).
SPAN_SLICE = 5000


@dataclass
class RefreshSummary:
    """What one refresh did."""

    rows: int = 0
    days: int = 0
    membership_days: int = 0
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

    async def rebuild(self) -> RefreshSummary:
        """Read the whole log again and rebuild every rollup from it."""
        async with self._lock, self._db.transaction() as session:
            await cursor.lock_cursor(session)
            await cursor.set_cursor(session, 0, 0, self._clock.now())
        return await self.refresh()

    async def refresh(self) -> RefreshSummary:
        """Read the log past the cursor and rebuild what it touched."""
        async with self._lock, self._db.transaction() as session:
            summary = await self._refresh_in(session)
        if summary.rows or summary.rebuilt_guilds:
            log.info(
                "stats rollups: %d rows read; %d days, %d weeks, %d members rebuilt",
                summary.rows,
                summary.days,
                summary.weeks,
                summary.members,
            )
        return summary

    async def purge_before(self, guild_id: int, before: datetime, keep: Iterable[str]) -> int:
        """Retention: roll the log up, close the guild's days before `before`, and delete the
        raw rows of those days the rollups have read (kinds in `keep` stay); how many went."""
        async with self._lock, self._db.transaction() as session:
            await self._refresh_in(session)
            upto, _ = await cursor.lock_cursor(session)
            await retention.close_before(session, guild_id, before)
            purged = await retention.purge_interactions(session, guild_id, before, upto, keep)
            # Recount the window below the cursor, so the purge is not taken for late rows.
            window = await cursor.rows_between(session, upto - LOOKBACK_IDS, upto)
            await cursor.set_cursor(session, upto, window, self._clock.now())
            return purged

    async def _refresh_in(self, session: Session) -> RefreshSummary:
        summary = RefreshSummary()
        last, window_rows = await cursor.lock_cursor(session)
        top = await cursor.max_interaction_id(session)
        late = await cursor.rows_between(session, last - LOOKBACK_IDS, last) != window_rows
        after = max(0, last - LOOKBACK_IDS) if late else last
        closed = await retention.closed_before(session)
        # Days whose activity changed (member days, weeks and totals are rebuilt), and
        # days whose joins or leaves changed (only the totals are).
        active = await self._timezone_changes(session, summary, closed)
        moved: defaultdict[int, set[date]] = defaultdict(set)
        if top > after:
            summary.rows = top - after
            presence = await span_store.presence_in(session, after, top, ABSENT, UNTIMED)
            await self._remember_timezones(session, {p.guild_id for p in presence})
            for guild_id, days in (await self._touched_days(session, after, top, presence)).items():
                active[guild_id] |= days
            changed_first = await self._update_first_seen(session, presence)
            await span_store.copy_events(session, after, top, MEMBERSHIP + PAID)
            events = await span_store.event_users(session, after, top)
            movers = {(g, u) for g, u, kind in events if kind in MEMBERSHIP}
            payers = {(g, u) for g, u, kind in events if kind in PAID}
            for guild_id, days in (
                await self._rebuild_spans(session, movers | changed_first, summary)
            ).items():
                moved[guild_id] |= days
            await self._rebuild_paid(session, payers, summary)
        await self._rebuild_days(session, active, moved, summary, closed)
        newest = max(top, last)
        window = await cursor.rows_between(session, newest - LOOKBACK_IDS, newest)
        await cursor.set_cursor(session, newest, window, self._clock.now())
        return summary

    async def _timezone_changes(
        self, session: Session, summary: RefreshSummary, closed: dict[int, datetime]
    ) -> defaultdict[int, set[date]]:
        """Guilds whose time zone changed get every open day rebuilt in the new zone (days
        closed by retention keep the zone they were counted in: their raw rows are gone)."""
        days: defaultdict[int, set[date]] = defaultdict(set)
        for guild_id, zone in (await rollups.guild_timezones(session)).items():
            wanted = self._timezone_of(guild_id)
            if zone == wanted:
                continue
            log.info("stats: guild %s moved from %s to %s; rebuilding", guild_id, zone, wanted)
            horizon = closed.get(guild_id)
            calendar = self.calendar(guild_id)
            since = None if horizon is None else calendar.day_of(horizon)
            await rollups.clear_day_rollups(session, guild_id, since)
            await rollups.set_guild_timezone(session, guild_id, wanted)
            summary.rebuilt_guilds.append(guild_id)
            span = await rollups.guild_time_range(session, guild_id)
            if span is not None:
                days[guild_id] |= _days_between(calendar, *span)
        return days

    async def _remember_timezones(self, session: Session, guild_ids: set[int]) -> None:
        known = await rollups.guild_timezones(session)
        for guild_id in guild_ids:
            if guild_id not in known:
                await rollups.set_guild_timezone(session, guild_id, self._timezone_of(guild_id))

    async def _touched_days(
        self, session: Session, after: int, top: int, presence: list[span_store.Presence]
    ) -> dict[int, set[date]]:
        days: defaultdict[int, set[date]] = defaultdict(set)
        if top - after > EXACT_DAYS_LIMIT:
            # An import: every day between the oldest and newest changed row.
            ranges: dict[int, tuple[datetime, datetime]] = {}
            for p in presence:
                low, high = ranges.get(p.guild_id, (p.first, p.last))
                ranges[p.guild_id] = (min(low, p.first), max(high, p.last))
            for guild_id, (low, high) in ranges.items():
                days[guild_id] = _days_between(self.calendar(guild_id), low, high)
            return days
        calendars: dict[int, GuildCalendar] = {}
        async for batch in cursor.changed_rows(session, after, top):
            for guild_id, at in batch:
                calendar = calendars.get(guild_id)
                if calendar is None:
                    calendar = calendars[guild_id] = self.calendar(guild_id)
                days[guild_id].add(calendar.day_of(at))
        return days

    async def _update_first_seen(
        self, session: Session, presence: list[span_store.Presence]
    ) -> set[tuple[int, int]]:
        """Move first joins earlier where the new rows show an earlier presence."""
        inserts: defaultdict[int, list[tuple[int, datetime]]] = defaultdict(list)
        updates: defaultdict[int, list[tuple[int, datetime]]] = defaultdict(list)
        for p in presence:
            if p.first_present is None:
                continue
            if p.stored_first is None:
                inserts[p.guild_id].append((p.user_id, p.first_present))
            elif p.first_present < p.stored_first:
                updates[p.guild_id].append((p.user_id, p.first_present))
        changed: set[tuple[int, int]] = set()
        for guild_id in set(inserts) | set(updates):
            await span_store.write_first_seen(
                session, guild_id, inserts[guild_id], updates[guild_id]
            )
            changed.update((guild_id, u) for u, _ in inserts[guild_id] + updates[guild_id])
        return changed

    async def _rebuild_spans(
        self, session: Session, members: set[tuple[int, int]], summary: RefreshSummary
    ) -> dict[int, set[date]]:
        """Recompute these members' spans; the days where a span now starts or ends
        differently are returned."""
        by_guild: defaultdict[int, list[int]] = defaultdict(list)
        for guild_id, user_id in members:
            by_guild[guild_id].append(user_id)
        days: defaultdict[int, set[date]] = defaultdict(set)
        for guild_id, user_ids in by_guild.items():
            calendar = self.calendar(guild_id)
            user_ids.sort()
            # In slices, so an import that touches every member stays within bounded memory.
            for start in range(0, len(user_ids), SPAN_SLICE):
                part = user_ids[start : start + SPAN_SLICE]
                moved = await self._rebuild_member_spans(session, guild_id, part, summary)
                days[guild_id] |= {calendar.day_of(at) for at, n in moved.items() if n}
        return days

    @staticmethod
    async def _rebuild_member_spans(
        session: Session, guild_id: int, user_ids: list[int], summary: RefreshSummary
    ) -> Counter[datetime]:
        firsts = await span_store.first_seen(session, guild_id, user_ids)
        events: defaultdict[int, list[tuple[datetime, str]]] = defaultdict(list)
        for _, user_id, kind, _, at, _ in await span_store.events_of(
            session, guild_id, user_ids, MEMBERSHIP
        ):
            events[user_id].append((at, kind))
        old = await span_store.stored_spans(session, guild_id, user_ids)
        changed = {}
        moved: Counter[datetime] = Counter()
        for user_id in user_ids:
            new = membership_spans(firsts.get(user_id), events.get(user_id, []))
            before = old.get(user_id, [])
            if new != before:
                changed[user_id] = new
                moved.update(_boundaries(new))
                moved.subtract(_boundaries(before))
        await span_store.write_member_spans(session, guild_id, changed)
        summary.members += len(changed)
        return moved

    async def _rebuild_paid(
        self, session: Session, payers: set[tuple[int, int]], summary: RefreshSummary
    ) -> None:
        by_guild: defaultdict[int, list[int]] = defaultdict(list)
        for guild_id, user_id in payers:
            by_guild[guild_id].append(user_id)
        for guild_id, user_ids in by_guild.items():
            events = await span_store.events_of(session, guild_id, user_ids, PAID)
            spans = paid_spans([(u, kind, ref, at, meta) for _, u, kind, ref, at, meta in events])
            rows = [
                span_store.PaidSpanRow(
                    s.user_id, s.tier_key, s.started_at, s.ended_at, s.monthly_amount, s.currency
                )
                for s in spans
            ]
            await span_store.replace_paid_spans(session, guild_id, user_ids, rows)
            summary.payers += len(user_ids)

    async def _rebuild_days(
        self,
        session: Session,
        active: dict[int, set[date]],
        moved: dict[int, set[date]],
        summary: RefreshSummary,
        closed: dict[int, datetime],
    ) -> None:
        for guild_id in set(active) | set(moved):
            calendar = self.calendar(guild_id)
            horizon = closed.get(guild_id)
            days = sorted(
                day
                for day in active.get(guild_id, set())
                # A closed day's raw rows are purged: refilling it would lose them.
                if horizon is None or calendar.day_start(day + timedelta(days=1)) > horizon
            )
            if days:
                await rollups.clear_member_days(session, guild_id, days)
                for day in days:
                    start, end = calendar.day_start(day), calendar.day_start(day + timedelta(1))
                    await rollups.fill_member_day(
                        session, guild_id, day, start, end, ACTIVE, COMMUNICATION
                    )
                weeks = sorted({monday_of(day) for day in days})
                for monday in weeks:
                    await rollups.rebuild_member_week(session, guild_id, monday)
                summary.weeks += len(weeks)
            totals = sorted(set(days) | moved.get(guild_id, set()))
            if totals:
                await self._rebuild_guild_days(session, guild_id, calendar, totals)
            summary.days += len(days)
            summary.membership_days += len(totals) - len(days)

    @staticmethod
    async def _rebuild_guild_days(
        session: Session, guild_id: int, calendar: GuildCalendar, days: list[date]
    ) -> None:
        activity = await rollups.day_activity(session, guild_id, days)
        joined, left = await span_store.span_boundaries(
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


def _boundaries(spans: list[span_store.Span]) -> list[datetime]:
    return [at for span in spans for at in span if at is not None]


def _days_between(calendar: GuildCalendar, low: datetime, high: datetime) -> set[date]:
    first, last = calendar.day_of(low), calendar.day_of(high)
    return {first + timedelta(days=i) for i in range((last - first).days + 1)}
