"""Applying queued role changes on Discord, one at a time, in few write transactions.

Each change is claimed (`attempts += 1`, and for an add the role marked as ours) in a
transaction committed before Discord is asked, and finished (done, waiting for the member)
after Discord answered. A change's end is written in the transaction that claims the next
one, so a steady stream of changes costs one write transaction each, not three; the last
end of a batch is written on its own before the pass goes on. A crash between Discord's
answer and that write loses nothing: the row is still pending, and the retry finds the
role in place and finishes it.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.core.clock import Clock
from bot.core.ports import (
    MissingPermissions,
    PortError,
    RoleFacts,
    Roles,
    TargetGone,
    TemporarilyUnavailable,
)
from bot.services.roles.notices import permission_notice
from bot.services.roles.rules import RoleRefused, hand_out_problem
from storage.database import Database, Session
from storage.notices import queries as notice_queue
from storage.roles import queries as role_changes
from storage.roles.models import ChangeStatus, RoleChange

log = logging.getLogger(__name__)

PERMISSION_NOTICE_EVERY = timedelta(hours=1)

Failure = PortError | RoleRefused


@dataclass(frozen=True)
class Ended:
    """A change Discord answered: its end, written with the next claim."""

    change_id: int
    outcome: str  # "done", "done_unmanaged" or "waiting_member"
    marked: bool = False  # the role was marked as ours when the change was claimed


@dataclass(frozen=True)
class Stuck:
    """A change that failed: retried after a backoff."""

    error: Failure
    permission: bool


@dataclass(frozen=True)
class _AddFacts:
    """What the cache (or one REST read) says before an add is claimed."""

    current: frozenset[int] | None = None
    role: RoleFacts | None = None
    failure: Stuck | None = None


class ChangeApplier:
    """Applies role changes in order, carrying each end into the next claim."""

    def __init__(
        self,
        db: Database,
        roles: Roles,
        clock: Clock,
        *,
        delay: Callable[[int, bool], float],
        defer: Callable[[int, float], None],
        notice_queued: Callable[[], None],
    ) -> None:
        self._db = db
        self._roles = roles
        self._clock = clock
        self._delay = delay
        self._defer = defer
        self._notice_queued = notice_queued
        self.carried: Ended | None = None

    async def flush(self) -> None:
        """Write the end carried from the last change, if any."""
        if self.carried is not None:
            async with self._db.transaction() as session:
                await self._write_carried(session)

    async def apply(self, change: RoleChange) -> int:
        """Claim and apply one change; 1 when it ended (done or waiting), else 0."""
        assert change.id is not None
        facts = await self._add_facts(change) if change.action == "add" else None
        async with self._db.transaction() as session:
            await self._write_carried(session)
            row, managed = await role_changes.claimable(session, change.id)
            if row is None or row.status != "pending":
                return 0
            first_attempt = row.attempts == 0
            row.attempts += 1  # committed before Discord is asked: a crash then is not a first try
            session.add(row)
            if facts is not None:
                step = _add_step(row, facts, first_attempt=first_attempt, managed=managed)
            else:
                step = None if managed else Ended(change.id, "done_unmanaged")
            if isinstance(step, Ended):
                await self._write_end(session, step)
                return 1
            if isinstance(step, Stuck):
                await self._write_stuck(session, row, step)
                return 0
            if facts is not None and not managed:
                # Ours from the moment we ask: Discord may apply it and the answer be lost (a
                # 504, or a crash before the end is written), and a later remove must still
                # take it away.
                await role_changes.mark_managed(
                    session, row.guild_id, row.user_id, row.role_id, self._clock.now(), fresh=True
                )
        try:
            ended = await (self._add(row) if facts is not None else self._remove(row))
        except RoleRefused as error:
            stuck = Stuck(error, permission=True)
        except MissingPermissions as error:
            stuck = Stuck(error, permission=True)
        except (TemporarilyUnavailable, PortError) as error:
            stuck = Stuck(error, permission=False)
        except Exception as error:  # a bug must not hold up every change behind this one
            log.exception("role change %s failed unexpectedly", change.id)
            stuck = Stuck(PortError(f"unexpected error: {error!r}"), permission=False)
        else:
            self.carried = ended
            return 1
        async with self._db.transaction() as session:
            fresh = await role_changes.role_change(session, change.id)
            if fresh is not None:
                await self._write_stuck(session, fresh, stuck)
        return 0

    async def _add_facts(self, change: RoleChange) -> _AddFacts:
        try:
            current = await self._roles.member_role_ids(change.guild_id, change.user_id)
            if current is None or change.role_id in current:
                return _AddFacts(current)
            return _AddFacts(current, await self._roles.describe(change.guild_id, change.role_id))
        except PortError as error:
            return _AddFacts(failure=Stuck(error, permission=isinstance(error, MissingPermissions)))
        except Exception as error:  # a bug must not hold up every change behind this one
            log.exception("role change %s failed unexpectedly", change.id)
            return _AddFacts(failure=Stuck(PortError(f"unexpected error: {error!r}"), False))

    async def _add(self, change: RoleChange) -> Ended:
        guild_id, user_id, role_id = change.guild_id, change.user_id, change.role_id
        try:
            await self._roles.add(guild_id, user_id, role_id, change.reason or "paid tier")
        except TargetGone:
            if await self._roles.member_role_ids(guild_id, user_id) is None:
                return Ended(change.id or 0, "waiting_member", marked=True)
            raise PortError(f"role {role_id} does not exist any more") from None
        return Ended(change.id or 0, "done", marked=True)

    async def _remove(self, change: RoleChange) -> Ended:
        current = await self._roles.member_role_ids(change.guild_id, change.user_id)
        if current is not None and change.role_id in current:
            # TargetGone: the member just left, and lost the role with it.
            with contextlib.suppress(TargetGone):
                await self._roles.remove(
                    change.guild_id,
                    change.user_id,
                    change.role_id,
                    change.reason or "paid tier ended",
                )
        return Ended(change.id or 0, "done")

    async def _write_carried(self, session: Session) -> None:
        carried, self.carried = self.carried, None
        if carried is not None:
            await self._write_end(session, carried)

    async def _write_end(self, session: Session, ended: Ended) -> None:
        now = self._clock.now()
        if ended.outcome == "done" and ended.marked:  # an add given: the role is ours already
            await role_changes.applied(session, ended.change_id, now)
            return
        row = await role_changes.role_change(session, ended.change_id)
        if row is None:
            return
        if ended.outcome == "waiting_member":
            row.status = ChangeStatus.WAITING_MEMBER
            row.last_error = "the member is not in the server; applies when they join"
        else:
            row.status, row.applied_at = ChangeStatus.DONE, now
            if ended.outcome == "done_unmanaged":
                row.last_error = "left alone: the bot did not give this role"
            elif row.action == "add" and not ended.marked:
                await role_changes.mark_managed(
                    session, row.guild_id, row.user_id, row.role_id, now
                )
            if row.action == "remove" and ended.outcome == "done":
                await role_changes.unmark_managed(session, row.guild_id, row.user_id, row.role_id)
        session.add(row)

    async def _write_stuck(self, session: Session, row: RoleChange, stuck: Stuck) -> None:
        delay = self._delay(row.attempts, stuck.permission)
        self._defer(row.id or 0, delay)
        now = self._clock.now()
        log.warning(
            "role change %s (%s role %s for %s) failed, retry in %.1fs: %s",
            row.id, row.action, row.role_id, row.user_id, delay, stuck.error,
        )  # fmt: skip
        row.last_error = str(stuck.error)[:2000]
        row.next_attempt_at = now + timedelta(seconds=delay)
        if stuck.permission and row.reported_at is None:
            await self._report(session, row, stuck.error, now)
        session.add(row)

    async def _report(
        self, session: Session, row: RoleChange, error: Failure, now: datetime
    ) -> None:
        # One notice per role an hour, however many members wait on it.
        told = await role_changes.permission_reported_since(
            session, row.guild_id, row.role_id, now - PERMISSION_NOTICE_EVERY
        )
        row.reported_at = now
        if not told:
            text = permission_notice(row.action, row.role_id, row.user_id, error)
            await notice_queue.queue_notice(session, row.guild_id, "mod_log", text, at=now)
            self._notice_queued()


def _add_step(
    row: RoleChange, facts: _AddFacts, *, first_attempt: bool, managed: bool
) -> Ended | Stuck | None:
    """What an add comes to before Discord is asked: an end, a failure, or None (ask)."""
    if facts.failure is not None:
        return facts.failure
    change_id = row.id or 0
    if facts.current is None:
        return Ended(change_id, "waiting_member")
    if row.role_id in facts.current:
        # Already there before we ever tried: a moderator gave it; it stays theirs.
        return Ended(change_id, "done" if managed or not first_attempt else "done_unmanaged")
    problem = hand_out_problem(facts.role) if facts.role is not None else None
    if problem is not None:  # waits, like a missing permission, until the role is safe
        return Stuck(RoleRefused(problem), permission=True)
    return None
