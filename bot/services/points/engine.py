"""Scoring inside one transaction: events become awards and reversals, the ledger grows,
balances follow, and level roles are queued through the shared role service."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from bot.core.clock import Clock
from bot.core.events import (
    AnswerAccepted,
    AnswerDeleted,
    AnswerPosted,
    AnswerUnaccepted,
    ContentOpened,
    DomainEvent,
    MemberOnboarded,
    QuestionAsked,
    QuestionClosed,
)
from bot.services.points.config import POINTS_SECTION, PointsConfig
from bot.services.points.levels import Ladder
from bot.services.points.rules import (
    ANSWER_ACCEPTED,
    ANSWER_POSTED,
    DROP_STREAK,
    ONBOARDED,
    QUESTION_SOLVED,
    Rules,
)
from bot.services.points.scoring import Award, NewEntry, Op, Reverse, Scorer, State, StoredEntry
from bot.services.roles import RoleService
from bot.settings import Settings
from storage.database import Session
from storage.points import balances, ledger, queries
from storage.points.models import PointsSettings

HANDLED = (
    QuestionAsked, AnswerPosted, AnswerAccepted, AnswerUnaccepted, AnswerDeleted,
    QuestionClosed, MemberOnboarded, ContentOpened,
)  # fmt: skip


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def iso_week(day: date) -> str:
    """`2026-W48`."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass(frozen=True)
class Settled:
    """Levels brought in line: how many members changed level or level role."""

    members: int
    roles_queued: bool


@dataclass(frozen=True)
class Outcome:
    """What one batch wrote."""

    entries: int
    roles_queued: bool


class Engine:
    """The rules applied in the caller's transaction."""

    def __init__(self, settings: Settings, clock: Clock, roles: RoleService) -> None:
        self._settings = settings
        self._clock = clock
        self._roles = roles

    # -- a guild's settings ---------------------------------------------------------------

    def config(self, guild_id: int) -> PointsConfig:
        """The guild's `[guilds.points]` table (defaults when absent)."""
        guild = self._settings.guild(guild_id)
        return guild.section(POINTS_SECTION) if guild else PointsConfig()

    def local_day(self, guild_id: int, at: datetime) -> date:
        """The guild's local day of an instant."""
        guild = self._settings.guild(guild_id)
        return at.astimezone(_zone(guild.timezone if guild else "UTC")).date()

    async def settings_row(self, session: Session, guild_id: int) -> PointsSettings:
        """The guild's stored rules and levels; the config's rules are stored on first use
        (later config changes apply through /points rescore)."""
        row = await queries.settings(session, guild_id)
        if row is None:
            row = PointsSettings(
                guild_id=guild_id,
                rules=self.config(guild_id).rules.to_json(),
                levels=[],
                updated_at=self._clock.now(),
            )
            await queries.save_settings(session, row)
        return row

    def ladder_of(self, guild_id: int, row: PointsSettings | None) -> Ladder:
        """Levels set by a moderator, else the configured ones."""
        if row is not None and row.levels:
            return Ladder.from_json(row.levels)
        return self.config(guild_id).ladder

    async def rules_and_ladder(self, session: Session, guild_id: int) -> tuple[Rules, Ladder]:
        """What scoring in the guild uses now."""
        row = await self.settings_row(session, guild_id)
        return Rules.from_json(row.rules), self.ladder_of(guild_id, row)

    # -- events -> entries ------------------------------------------------------------------

    async def score(
        self, session: Session, guild_id: int, events: Sequence[DomainEvent]
    ) -> Outcome:
        """Apply a guild's events in order (a replayed event adds nothing)."""
        rules, ladder = await self.rules_and_ladder(session, guild_id)
        ops = await self._ops(session, guild_id, events, rules)
        if not ops:
            return Outcome(0, False)
        days = {
            (op.user_id, op.day) for op, _ in ops if isinstance(op, Award) and rules.capped(op.rule)
        }
        causes = {(op.user_id, op.rule, op.cause) for op, _ in ops}
        rows = await ledger.state_entries(session, guild_id, days, causes)
        scorer = Scorer(rules, State.of(rules, (StoredEntry(*row) for row in rows)))
        written = [
            entry_row(guild_id, entry, at)
            for op, at in ops
            if (entry := scorer.apply(op)) is not None
        ]
        await ledger.append(session, written)
        settled = await self.settle_levels(
            session, guild_id, {row["user_id"] for row in written}, ladder
        )
        return Outcome(len(written), settled.roles_queued)

    async def _ops(
        self, session: Session, guild_id: int, events: Sequence[DomainEvent], rules: Rules
    ) -> list[tuple[Op, datetime]]:
        askers = {
            e.question_id: e.asker_id
            for e in events
            if isinstance(e, QuestionAsked | AnswerAccepted | QuestionClosed)
        }
        await queries.record_askers(session, guild_id, askers)
        wanted = {e.question_id for e in events if isinstance(e, AnswerPosted | AnswerUnaccepted)}
        known = await queries.askers(session, guild_id, wanted) if wanted else {}
        opens = [
            (e.user_id, self.local_day(guild_id, e.at))
            for e in events
            if isinstance(e, ContentOpened)
        ]
        await queries.add_open_days(session, guild_id, opens)
        ops: list[tuple[Op, datetime]] = []
        for event in events:
            day = self.local_day(guild_id, event.at)
            for op in await self._ops_of(session, guild_id, event, day, known, rules):
                ops.append((op, event.at))
        return ops

    async def _ops_of(
        self,
        session: Session,
        guild_id: int,
        event: DomainEvent,
        day: date,
        askers: dict[int, int],
        rules: Rules,
    ) -> list[Op]:
        if isinstance(event, AnswerPosted):
            if askers.get(event.question_id) == event.answerer_id:
                return []  # answering your own question earns nothing
            cause = f"question:{event.question_id}"
            return [Award(event.answerer_id, ANSWER_POSTED, cause, day, event.message_id)]
        if isinstance(event, AnswerAccepted):
            if event.asker_id == event.answerer_id:
                return []  # accepting your own answer earns nothing
            return [Award(event.answerer_id, ANSWER_ACCEPTED, f"answer:{event.message_id}", day)]
        if isinstance(event, AnswerUnaccepted):
            ops: list[Op] = [
                Reverse(event.answerer_id, ANSWER_ACCEPTED, f"answer:{event.message_id}")
            ]
            asker = askers.get(event.question_id)
            if asker is not None:
                ops.append(Reverse(asker, QUESTION_SOLVED, f"question:{event.question_id}"))
            return ops
        if isinstance(event, AnswerDeleted):
            return [
                Reverse(event.answerer_id, ANSWER_ACCEPTED, f"answer:{event.message_id}"),
                Reverse(
                    event.answerer_id, ANSWER_POSTED, f"question:{event.question_id}",
                    only_ref=event.message_id,
                ),
            ]  # fmt: skip
        if isinstance(event, QuestionClosed):
            if event.outcome != "solved":
                return []
            return [Award(event.asker_id, QUESTION_SOLVED, f"question:{event.question_id}", day)]
        if isinstance(event, MemberOnboarded):
            return [Award(event.user_id, ONBOARDED, f"member:{event.user_id}", day)]
        if isinstance(event, ContentOpened):
            monday = day - timedelta(days=day.weekday())
            opened = await queries.open_days(
                session, guild_id, event.user_id, monday, monday + timedelta(days=6)
            )
            if opened < rules.streak_days:
                return []
            return [Award(event.user_id, DROP_STREAK, f"week:{iso_week(day)}", day)]
        return []

    # -- levels ---------------------------------------------------------------------------

    async def settle_levels(
        self,
        session: Session,
        guild_id: int,
        users: Collection[int],
        ladder: Ladder,
        *,
        previous: Ladder | None = None,
    ) -> Settled:
        """Bring these members' levels (and level roles) in line with their points.
        `previous` is the ladder their applied levels were
        reached on, when a moderator has just changed it (its roles are the ones they hold)."""
        if not users:
            return Settled(0, False)
        before_ladder = previous or ladder
        totals = await balances.all_time(session, guild_id, users)
        applied = await queries.levels(session, guild_id, users)
        changed: dict[int, int] = {}
        queued = False
        for user_id in sorted(users):
            level = ladder.level_for(totals.get(user_id, 0))
            before = applied.get(user_id)
            old = before_ladder.number(before)
            old_role = old.role_id if old is not None else 0
            if before == level.number and old_role == level.role_id:
                continue
            changed[user_id] = level.number
            if old_role and old_role != level.role_id:
                await self._roles.request(
                    session, guild_id, user_id, old_role, "remove", reason="points level changed"
                )
                queued = True
            if level.role_id and old_role != level.role_id:
                await self._roles.request(
                    session, guild_id, user_id, level.role_id, "add",
                    reason=f"points level {level.number}",
                )  # fmt: skip
                queued = True
        await queries.set_levels(session, guild_id, changed)
        return Settled(len(changed), queued)


def entry_row(
    guild_id: int, entry: NewEntry, at: datetime, *, actor_id: int = 0, note: str = ""
) -> dict[str, Any]:
    """The ledger row of a scored entry."""
    return {
        "guild_id": guild_id,
        "user_id": entry.user_id,
        "rule": entry.rule,
        "cause": entry.cause,
        "seq": entry.seq,
        "kind": entry.kind,
        "delta": entry.delta,
        "day": entry.day,
        "ref": entry.ref,
        "actor_id": actor_id,
        "note": note,
        "at": at,
    }
