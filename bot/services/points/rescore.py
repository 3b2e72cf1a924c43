"""Re-scoring: new weights or caps, previewed (who gains or loses how much, the top movers),
then applied on a moderator's confirmation, audited.

Nothing in the ledger is edited: every award and reversal is replayed under the new rules
(`replay.py`, member by member, in ledger order) and each cause whose worth changes gets
one `rescore` entry with the difference. Adjustments stay as they were. The preview's
replay is kept for its apply, which replays again only the members whose entries changed
in between (so the apply still counts what came since the preview).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from bot.core.access import Caller
from bot.core.errors import InvalidInput, NotFound
from bot.core.text import t
from bot.services.points.engine import entry_row
from bot.services.points.replay import MemberReplay, Replay, replay_member, replay_rows
from bot.services.points.rules import Rules
from bot.services.points.service import PointsService
from bot.services.points.views import Mover, RescoreView
from storage.audit.queries import add_audit
from storage.database import Session
from storage.points import ledger, queries, tables
from storage.points.models import PointsRescore

ENTRIES_PER_PASS = 2_500_000  # entries held in memory at once, about
TOP_MOVERS = 10
REREAD_SHARE = 4  # past 1/4 of members changed since the preview, replay everything

__all__ = ["Rescorer", "replay_member"]


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
            members = await self._replay(session, guild_id, target)
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
        self._service.replays[guild_id] = Replay(plan.id, target, members)
        return _view(plan.id, current, target, members, applied=False)

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
            await tables.bulk_write_cache(session, True)
            try:
                members = await self._write(session, guild_id, caller, plan, current, target, now)
            finally:
                await tables.bulk_write_cache(session, False)
        self._service.replays.pop(guild_id, None)
        self._service.roles.wake()
        return _view(rescore_id, current, target, members, applied=True)

    async def _write(
        self,
        session: Session,
        guild_id: int,
        caller: Caller,
        plan: PointsRescore,
        current: Rules,
        target: Rules,
        now: datetime,
    ) -> dict[int, MemberReplay]:
        """The corrections, the new rules, the audit entry and the levels, written."""
        rescore_id = plan.id
        assert rescore_id is not None
        settings = await self._engine.settings_row(session, guild_id)
        kept = self._service.replays.get(guild_id)
        if kept is not None and (kept.rescore_id, kept.rules) == (rescore_id, target):
            members = await self._refresh(session, guild_id, target, kept.members)
        else:
            members = await self._replay(session, guild_id, target)
        note = f"rescore #{rescore_id}"
        fixes = sorted(
            (fix for member in members.values() for fix in member.fixes),
            key=lambda f: (f.user_id, f.rule, f.cause),
        )  # in the unique index's order: its pages are written once, in turn
        await ledger.append(
            session,
            [entry_row(guild_id, fix, now, actor_id=caller.user_id, note=note) for fix in fixes],
        )
        movers = _movers(members)
        settings.rules, settings.updated_at = target.to_json(), now
        await queries.save_settings(session, settings)
        plan.status, plan.applied_at = "applied", now
        session.add(plan)
        await add_audit(
            session, guild_id, caller.user_id, "points.rescore", now,
            details={
                "rescore_id": rescore_id,
                "changes": {k: list(v) for k, v in current.differences(target).items()},
                "members": len(movers),
                "net": sum(m.change for m in movers),
            },
        )  # fmt: skip
        await self._engine.settle_levels(
            session,
            guild_id,
            {m.user_id for m in movers},
            self._engine.ladder_of(guild_id, settings),
        )
        return members

    async def _replay(
        self, session: Session, guild_id: int, rules: Rules
    ) -> dict[int, MemberReplay]:
        """Every member's history replayed under `rules`."""
        members: dict[int, MemberReplay] = {}
        parts = max(1, -(-(await ledger.ledger_size(session, guild_id)) // ENTRIES_PER_PASS))
        for part in range(parts):
            for user_id, rows in (
                await ledger.member_entries(session, guild_id, parts, part)
            ).items():
                members[user_id] = replay_rows(rules, user_id, rows)
        return members

    async def _refresh(
        self, session: Session, guild_id: int, rules: Rules, kept: dict[int, MemberReplay]
    ) -> dict[int, MemberReplay]:
        """The preview's replay brought up to date: members whose entries changed since
        (count or last id differ: new entries, or erased) are replayed again."""
        marks = await ledger.member_marks(session, guild_id)
        members = {
            user_id: member
            for user_id, member in kept.items()
            if marks.get(user_id) == (member.entries, member.last_id)
        }
        changed = [user_id for user_id in marks if user_id not in members]
        if len(changed) * REREAD_SHARE > len(marks):
            return await self._replay(session, guild_id, rules)
        for user_id, rows in (await ledger.entries_of(session, guild_id, changed)).items():
            members[user_id] = replay_rows(rules, user_id, rows)
        return members


def _movers(members: Mapping[int, MemberReplay]) -> list[Mover]:
    return [
        Mover(user_id, member.before, member.after)
        for user_id, member in members.items()
        if member.fixes
    ]


def _view(
    rescore_id: int,
    current: Rules,
    target: Rules,
    members: Mapping[int, MemberReplay],
    *,
    applied: bool,
) -> RescoreView:
    movers = _movers(members)
    top = sorted(movers, key=lambda m: (-abs(m.change), m.user_id))[:TOP_MOVERS]
    return RescoreView(
        rescore_id=rescore_id,
        changes=current.differences(target),
        members=len(movers),
        gained=sum(m.change for m in movers if m.change > 0),
        lost=-sum(m.change for m in movers if m.change < 0),
        top=tuple(top),
        applied=applied,
    )
