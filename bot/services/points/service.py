"""`PointsService`: points for help (not chatter), levels, boards and moderators' adjustments.

Other features publish events after their commits (Q&A's answers, onboarding, drop opens);
the service scores them through the group commit (`batching.py`) in one transaction per
batch, so a burst is cheap and every handler returns once its points are committed. It
answers the `Levels` port (`level_of`) for features that gate on a level.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from itertools import groupby

from bot.core.access import MODERATORS, AccessPolicy, Caller
from bot.core.clock import Clock
from bot.core.errors import InvalidInput
from bot.core.events import DomainEvent, EventBus, MemberJoined
from bot.core.ports import RoleFacts
from bot.core.text import t
from bot.services.points.batching import GroupCommit
from bot.services.points.engine import HANDLED, Engine, Outcome, entry_row
from bot.services.points.levels import MAX_LEVELS, NAME_MAX, Ladder
from bot.services.points.replay import Replay
from bot.services.points.rules import ADJUST
from bot.services.points.scoring import NewEntry
from bot.services.points.views import (
    PERIODS,
    BoardRow,
    BoardView,
    HistoryLine,
    LevelsSaved,
    PointsView,
)
from bot.services.roles import RoleService, check_new_role
from bot.settings import Settings
from storage.audit.queries import add_audit
from storage.database import Database
from storage.points import balances, ledger, queries, tables
from storage.points.models import PointsEntry, PointsMember
from storage.points.periods import ALL, month_key, week_key

log = logging.getLogger(__name__)

HISTORY_LINES = 15
BOARD_SIZE = 10
ADJUST_MAX = 100_000
REASON_MAX = 100  # string options stay within 100 (tests/e2e/core/test_replies.py)


class PointsService:
    """Scores events, answers /points, /leaderboard and the Levels port."""

    def __init__(
        self, settings: Settings, db: Database, clock: Clock, role_service: RoleService
    ) -> None:
        self.db = db
        self.clock = clock
        self.roles = role_service
        self.engine = Engine(settings, clock, role_service)
        self.policy = AccessPolicy(settings.guild)
        self.write_lock = asyncio.Lock()  # one writer of the ledger at a time in this process
        self.replays: dict[int, Replay] = {}  # guild id -> its last re-score preview's work
        self._batches: GroupCommit[DomainEvent] = GroupCommit(self._write)

    def subscribe(self, bus: EventBus) -> None:
        """Listen to every event a rule pays for (or that tells who asked what)."""
        for kind in HANDLED:
            bus.subscribe(kind, self.handle)
        bus.subscribe(MemberJoined, self.member_joined)

    async def handle(self, event: DomainEvent) -> None:
        """Score one committed event (returns once its points are committed)."""
        await self._batches.submit(event)

    async def member_joined(self, event: MemberJoined) -> None:
        """A member came back: their level's role too (Discord took every role as they left)."""
        guild_id, user_id = event.guild_id, event.user_id
        async with self.db.read() as session:
            applied = (await queries.levels(session, guild_id, [user_id])).get(user_id)
            if applied is None:  # most joins are first joins: nothing to give back
                return
            ladder = self.engine.ladder_of(guild_id, await queries.settings(session, guild_id))
        level = ladder.number(applied)
        if level is None or not level.role_id:
            return
        role_id = level.role_id
        await self.db.write_together(
            lambda session: self.roles.request(
                session, guild_id, user_id, role_id, "add", reason="points level (rejoined)"
            )
        )
        self.roles.wake()

    async def score(self, events: Sequence[DomainEvent]) -> Outcome:
        """Score events in order in one transaction (imports, benchmarks, tests)."""
        async with self.write_lock:
            total, queued = 0, False
            async with self.db.transaction() as session:
                await tables.bulk_write_cache(session, True)
                try:
                    for guild_id, group in groupby(events, key=lambda e: e.guild_id):
                        outcome = await self.engine.score(session, guild_id, list(group))
                        total, queued = total + outcome.entries, queued or outcome.roles_queued
                finally:
                    await tables.bulk_write_cache(session, False)
        if queued:
            self.roles.wake()
        return Outcome(total, queued)

    async def _write(self, events: Sequence[DomainEvent]) -> None:
        await self.score(events)

    def require_moderator(self, guild_id: int, caller: Caller) -> None:
        """Raise NotAllowed unless the caller is a moderator here."""
        self.policy.require(MODERATORS, guild_id, caller)

    # -- what members see ---------------------------------------------------------------------

    async def level_of(self, guild_id: int, user_id: int) -> int:
        """The member's level number (0 = the first level), from their all-time points."""
        async with self.db.read() as session:
            points = (await balances.all_time(session, guild_id, [user_id]))[user_id]
            ladder = self.engine.ladder_of(guild_id, await queries.settings(session, guild_id))
        return ladder.level_for(points).number

    async def points_of(self, guild_id: int, user_id: int) -> int:
        """The member's all-time points (the `Levels` port, for /profile)."""
        async with self.db.read() as session:
            return (await balances.all_time(session, guild_id, [user_id]))[user_id]

    async def ladder(self, guild_id: int) -> Ladder:
        """The guild's levels."""
        async with self.db.read() as session:
            return self.engine.ladder_of(guild_id, await queries.settings(session, guild_id))

    def _period_keys(self, guild_id: int) -> dict[str, str]:
        today = self.engine.local_day(guild_id, self.clock.now())
        return {"week": week_key(today), "month": month_key(today), "all": ALL}

    async def points(self, guild_id: int, user_id: int, page: int = 0) -> PointsView:
        """The member's balances, level and latest entries, each explained."""
        keys = self._period_keys(guild_id)
        async with self.db.read() as session:
            sums = await balances.member_balances(session, guild_id, user_id, list(keys.values()))
            entries = await ledger.history(
                session, guild_id, user_id, HISTORY_LINES, max(0, page) * HISTORY_LINES
            )
            count = await ledger.entry_count(session, guild_id, user_id)
            row = await queries.member(session, guild_id, user_id)
            ladder = self.engine.ladder_of(guild_id, await queries.settings(session, guild_id))
        level = ladder.level_for(sums[ALL])
        return PointsView(
            user_id=user_id,
            all_time=sums[ALL],
            week=sums[keys["week"]],
            month=sums[keys["month"]],
            level=level,
            next_level=ladder.next_after(level),
            hidden=bool(row and row.hidden),
            lines=tuple(_line(entry) for entry in entries),
            total_lines=count,
        )

    async def leaderboard(self, guild_id: int, user_id: int, period: str = "week") -> BoardView:
        """The top of the period's board (dense ranks) and the caller's own place."""
        if period not in PERIODS:
            raise InvalidInput(t("Pick week, month or all."))
        key = self._period_keys(guild_id)[period]
        async with self.db.read() as session:
            top = await balances.board(session, guild_id, key, BOARD_SIZE)
            mine = (await balances.member_balances(session, guild_id, user_id, [key]))[key]
            row = await queries.member(session, guild_id, user_id)
            own_rank = await balances.dense_rank(session, guild_id, key, mine) if mine > 0 else 0
        rows, rank, last = [], 0, None
        for member_id, points, hidden in top:
            if points != last:
                rank, last = rank + 1, points
            rows.append(BoardRow(rank, member_id, points, hidden))
        own = BoardRow(own_rank, user_id, mine, bool(row and row.hidden)) if mine > 0 else None
        return BoardView(period, key, tuple(rows), own)

    async def set_hidden(self, guild_id: int, user_id: int, hidden: bool) -> bool:
        """Hide the member from boards (their points still count), or show them again."""
        async with self.write_lock, self.db.transaction() as session:
            row = await queries.member(session, guild_id, user_id)
            if row is None:
                ladder = self.engine.ladder_of(guild_id, await queries.settings(session, guild_id))
                points = (await balances.all_time(session, guild_id, [user_id]))[user_id]
                row = PointsMember(
                    guild_id=guild_id, user_id=user_id, level=ladder.level_for(points).number
                )
            row.hidden = hidden
            await queries.save_member(session, row)
        return hidden

    # -- moderators -----------------------------------------------------------------------------

    async def adjust(
        self,
        guild_id: int,
        caller: Caller,
        user_id: int,
        delta: int,
        reason: str,
        interaction_id: int,
    ) -> int:
        """Add (or take) points by hand, audited and shown in the member's history; returns
        their new all-time points. A replayed interaction changes nothing."""
        self.require_moderator(guild_id, caller)
        reason = " ".join(reason.split())
        if delta == 0 or abs(delta) > ADJUST_MAX:
            raise InvalidInput(t("Give a change between -100000 and 100000, not 0."))
        if not reason or len(reason) > REASON_MAX:
            raise InvalidInput(t("Give a reason (at most 100 characters)."))
        now = self.clock.now()
        cause = f"interaction:{interaction_id}"
        async with self.write_lock, self.db.transaction() as session:
            if not await ledger.cause_used(session, guild_id, ADJUST, cause):
                _, ladder = await self.engine.rules_and_ladder(session, guild_id)
                day = self.engine.local_day(guild_id, now)
                entry = NewEntry(user_id, ADJUST, cause, 0, "adjust", delta, day)
                await ledger.append(
                    session,
                    [entry_row(guild_id, entry, now, actor_id=caller.user_id, note=reason)],
                )
                await add_audit(
                    session, guild_id, caller.user_id, "points.adjust", now,
                    target_user_id=user_id, details={"delta": delta, "reason": reason},
                )  # fmt: skip
                await self.engine.settle_levels(session, guild_id, [user_id], ladder)
            total = (await balances.all_time(session, guild_id, [user_id]))[user_id]
        self.roles.wake()
        return total

    async def set_level(
        self,
        guild_id: int,
        caller: Caller,
        number: int,
        *,
        name: str | None = None,
        threshold: int | None = None,
        role: RoleFacts | None = None,
        no_role: bool = False,
        bot_top_position: int,
    ) -> LevelsSaved:
        """Change level `number` (or add the next one): name, threshold, role; audited.
        Members whose level or level role changes are moved in the same transaction (their
        roles follow through the role service)."""
        self.require_moderator(guild_id, caller)
        if role is not None:
            check_new_role(role, caller=caller, bot_top_position=bot_top_position)
        now = self.clock.now()
        async with self.write_lock, self.db.transaction() as session:
            row = await self.engine.settings_row(session, guild_id)
            previous = self.engine.ladder_of(guild_id, row)
            levels = [(lv.name, lv.threshold, lv.role_id) for lv in previous.levels]
            if not 0 <= number <= len(levels) or number >= MAX_LEVELS:
                raise InvalidInput(
                    t("Pick an existing level, or {next} to add one.", next=len(levels))
                )
            if number == len(levels):
                if name is None or threshold is None:
                    raise InvalidInput(t("A new level needs a name and a threshold."))
                levels.append((name, threshold, 0))
            old_name, old_threshold, old_role = levels[number]
            label = " ".join((name if name is not None else old_name).split())
            if not 1 <= len(label) <= NAME_MAX:
                raise InvalidInput(t("A level's name is 1 to 40 characters."))
            role_id = 0 if no_role else role.id if role is not None else old_role
            levels[number] = (label, old_threshold if threshold is None else threshold, role_id)
            try:
                ladder = Ladder.of(levels)
            except ValueError:
                raise InvalidInput(
                    t("The first level starts at 0 points and no two levels share a threshold.")
                ) from None
            row.levels, row.updated_at = ladder.to_json(), now
            await queries.save_settings(session, row)
            await add_audit(
                session, guild_id, caller.user_id, "points.level_set", now,
                details={"number": number, "name": label, "threshold": levels[number][1],
                         "role_id": role_id},
            )  # fmt: skip
            members = await queries.members_with_points(session, guild_id)
            settled = await self.engine.settle_levels(
                session, guild_id, members, ladder, previous=previous
            )
        if settled.roles_queued:
            self.roles.wake()
        return LevelsSaved(ladder, settled.members)


def _line(entry: PointsEntry) -> HistoryLine:
    assert entry.id is not None
    return HistoryLine(
        entry_id=entry.id,
        at=entry.at,
        day=entry.day,
        rule=entry.rule,
        cause=entry.cause,
        kind=entry.kind,
        delta=entry.delta,
        actor_id=entry.actor_id,
        note=entry.note,
    )
