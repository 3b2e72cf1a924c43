"""Re-scoring: new weights or caps, previewed (who gains or loses how much, the top movers),
then applied on a moderator's confirmation, audited.

Nothing in the ledger is edited: every award and reversal is replayed under the new rules
(`scoring.py`, member by member, in ledger order) and each cause whose worth changes gets
one `rescore` entry with the difference. Adjustments stay as they were.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.core.access import Caller
from bot.core.errors import InvalidInput, NotFound
from bot.core.text import t
from bot.services.points.engine import entry_row
from bot.services.points.rules import ADJUST, ANSWER_POSTED, Rules
from bot.services.points.scoring import NewEntry
from bot.services.points.service import PointsService
from bot.services.points.views import Mover, RescoreView
from storage.audit.queries import add_audit
from storage.database import Session
from storage.points import queries
from storage.points.models import PointsRescore

ENTRIES_PER_PASS = 2_500_000  # entries held in memory at once, about
TOP_MOVERS = 10


@dataclass(frozen=True)
class _Result:
    corrections: list[NewEntry]
    movers: list[Mover]


class Rescorer:
    """`/points rescore`: preview, then apply."""

    def __init__(self, service: PointsService) -> None:
        self._service = service
        self._db = service.db
        self._engine = service.engine

    async def current_rules(self, session: Session, guild_id: int) -> Rules:
        """The rules in use (the config's until the guild's first score)."""
        row = await queries.settings(session, guild_id)
        return Rules.from_json(row.rules) if row else self._engine.config(guild_id).rules

    async def preview(
        self, guild_id: int, caller: Caller, changes: Mapping[str, int] | None = None
    ) -> RescoreView:
        """What re-scoring with `changes` (default: the config's rules) would do; stored so a
        moderator can confirm it."""
        self._service.require_moderator(guild_id, caller)
        async with self._db.read() as session:
            current = await self.current_rules(session, guild_id)
            try:
                target = (
                    current.changed(**changes) if changes else self._engine.config(guild_id).rules
                )
            except (TypeError, ValueError) as error:
                raise InvalidInput(t("That rule number cannot be used: {why}", why=error)) from None
            if target == current:
                raise InvalidInput(
                    t("Those are the rules in use already: a re-score would change nothing.")
                )
            result = await self._replay(session, guild_id, target)
        async with self._db.transaction() as session:
            plan = await queries.add_rescore(
                session,
                PointsRescore(
                    guild_id=guild_id,
                    actor_id=caller.user_id,
                    rules=target.to_json(),
                    created_at=self._service.clock.now(),
                ),
            )
        assert plan.id is not None
        return _view(plan.id, current, target, result, applied=False)

    async def apply(self, guild_id: int, caller: Caller, rescore_id: int) -> RescoreView:
        """Apply a previewed re-score (recomputed now, so it counts what came since)."""
        self._service.require_moderator(guild_id, caller)
        now = self._service.clock.now()
        async with self._service.write_lock, self._db.transaction() as session:
            plan = await queries.rescore(session, rescore_id)
            if plan is None or plan.guild_id != guild_id:
                raise NotFound(t("There is no such re-score."))
            if plan.status != "preview":
                raise InvalidInput(
                    t("This preview was applied or replaced; run /points rescore again.")
                )
            settings = await self._engine.settings_row(session, guild_id)
            current, target = Rules.from_json(settings.rules), Rules.from_json(plan.rules)
            result = await self._replay(session, guild_id, target)
            note = f"rescore #{rescore_id}"
            await queries.append(
                session,
                [
                    entry_row(guild_id, entry, now, actor_id=caller.user_id, note=note)
                    for entry in result.corrections
                ],
            )
            settings.rules, settings.updated_at = target.to_json(), now
            await queries.save_settings(session, settings)
            plan.status, plan.applied_at = "applied", now
            session.add(plan)
            await add_audit(
                session, guild_id, caller.user_id, "points.rescore", now,
                details={
                    "rescore_id": rescore_id,
                    "changes": {k: list(v) for k, v in current.differences(target).items()},
                    "members": len(result.movers),
                    "net": sum(m.change for m in result.movers),
                },
            )  # fmt: skip
            await self._engine.settle_levels(
                session,
                guild_id,
                {m.user_id for m in result.movers},
                self._engine.ladder_of(guild_id, settings),
            )
        self._service.roles.wake()
        return _view(rescore_id, current, target, result, applied=True)

    async def _replay(self, session: Session, guild_id: int, rules: Rules) -> _Result:
        corrections: list[NewEntry] = []
        movers: list[Mover] = []
        parts = max(1, -(-(await queries.ledger_size(session, guild_id)) // ENTRIES_PER_PASS))
        for part in range(parts):
            members = await queries.member_entries(session, guild_id, parts, part)
            for user_id, rows in members.items():
                fixes = replay_member(rules, user_id, rows)
                if fixes:
                    before = sum(row[4] for row in rows)
                    corrections += fixes
                    movers.append(Mover(user_id, before, before + sum(f.delta for f in fixes)))
        return _Result(corrections, movers)


def replay_member(rules: Rules, user_id: int, rows: Sequence[Any]) -> list[NewEntry]:
    """The corrections that make one member's causes worth what `rules` give them.
    Rows: (user_id, rule, cause, kind, delta, day), in ledger order.

    The scorer's rules (`scoring.py`), inlined for a member's whole history: a full
    re-score replays millions of entries. `test_rescore.py` holds the two equal."""
    weights, capped = rules.weights, rules.capped_rules
    cap, answers_max = rules.daily_cap, rules.answer_daily_max
    day_points: dict[Any, int] = {}
    day_answers: dict[Any, int] = {}
    # (rule, cause) -> [entries, net now, net replayed, standing, day]
    causes: dict[tuple[str, str], list[Any]] = {}
    for _, rule, cause, kind, delta, day in rows:
        if rule == ADJUST:
            continue
        held = causes.get((rule, cause))
        if held is None:
            held = causes[(rule, cause)] = [0, 0, 0, False, None]
        held[0] += 1
        held[1] += delta
        if kind == "award" and not held[3]:
            worth = weights.get(rule, 0)
            in_cap = rule in capped
            if worth <= 0:
                worth = 0
            elif in_cap:
                if rule == ANSWER_POSTED and day_answers.get(day, 0) >= answers_max:
                    worth = 0
                else:
                    worth = max(0, min(worth, cap - day_points.get(day, 0)))
            held[2], held[3], held[4] = worth, True, day
            if in_cap:
                day_points[day] = day_points.get(day, 0) + worth
            if rule == ANSWER_POSTED and worth > 0:
                day_answers[day] = day_answers.get(day, 0) + 1
        elif kind == "reverse" and held[3]:
            paid, held[2], held[3] = held[2], 0, False
            if rule in capped:
                day_points[held[4]] -= paid
            if rule == ANSWER_POSTED and paid > 0:
                day_answers[held[4]] -= 1
    fixes = []
    for (rule, cause), (entries, net, worth, standing, day) in causes.items():
        if standing and worth != net:  # a correction's ref is unused: the award keeps it
            when = day if isinstance(day, date) else date.fromisoformat(day)
            fixes.append(NewEntry(user_id, rule, cause, entries, "rescore", worth - net, when))
    return fixes


def _view(
    rescore_id: int, current: Rules, target: Rules, result: _Result, *, applied: bool
) -> RescoreView:
    top = sorted(result.movers, key=lambda m: (-abs(m.change), m.user_id))[:TOP_MOVERS]
    return RescoreView(
        rescore_id=rescore_id,
        changes=current.differences(target),
        members=len(result.movers),
        gained=sum(m.change for m in result.movers if m.change > 0),
        lost=-sum(m.change for m in result.movers if m.change < 0),
        top=tuple(top),
        applied=applied,
    )
