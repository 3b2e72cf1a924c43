"""The outbox workers: role changes and notices, applied on Discord until they are done.

A change is never dropped: 5xx/429 and network failures back off and retry; a missing
permission (50013) is reported once to the moderators' log and retried slowly, so it
applies as soon as someone fixes the bot's role; a member who is not in the guild makes
the change wait until they join. Only roles the bot gave are ever taken away.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from bot.core.clock import Clock
from bot.core.ports import (
    DirectMessages,
    DirectMessagesClosed,
    MissingPermissions,
    Notifier,
    OutgoingMessage,
    PortError,
    Publisher,
    Roles,
    TargetGone,
    TemporarilyUnavailable,
)
from bot.core.text import t
from bot.services.roles.rules import RoleRefused, hand_out_problem
from bot.services.workers import WorkerTasks
from storage.database import Database
from storage.notices import queries as notice_queue
from storage.notices.models import BillingNotice, NoticeStatus
from storage.roles import queries as role_changes
from storage.roles.models import ChangeStatus, RoleChange

log = logging.getLogger(__name__)

_BATCH = 100
PERMISSION_NOTICE_EVERY = timedelta(hours=1)


@dataclass(frozen=True)
class Backoff:
    """Retry delays: doubling from `first` up to `cap` seconds."""

    first: float = 0.5
    cap: float = 300.0
    permission_first: float = 30.0
    permission_cap: float = 900.0

    def delay(self, attempts: int, *, permission: bool = False) -> float:
        """Seconds before the next try after `attempts` failures."""
        first, cap = (
            (self.permission_first, self.permission_cap) if permission else (self.first, self.cap)
        )
        return float(min(cap, first * 2 ** max(0, attempts - 1)))


class OutboxWorker:
    """Applies queued role changes and sends queued notices."""

    def __init__(
        self,
        db: Database,
        roles: Roles,
        notifier: Notifier,
        publisher: Publisher,
        clock: Clock,
        mod_log_channel: Callable[[int], int],
        *,
        backoff: Backoff | None = None,
        poll_interval: float = 2.0,
    ) -> None:
        self._db = db
        self._roles = roles
        self._notifier = notifier
        self._publisher = publisher
        self._clock = clock
        self._mod_log_channel = mod_log_channel
        self.backoff = backoff or Backoff()
        self._poll_interval = poll_interval
        self._not_before: dict[tuple[str, int], float] = {}
        self._wake = asyncio.Event()
        self._tasks = WorkerTasks(db)
        self._pass_lock = asyncio.Lock()
        # Asked before each DM: the member may have turned DMs off (None: nobody answers).
        self.direct_messages: Callable[[], DirectMessages | None] = lambda: None

    def wake(self) -> None:
        """Something new was queued: look now."""
        self._wake.set()

    def retry_now(self) -> None:
        """Forget every backoff (after a moderator fixed permissions, say) and look now."""
        self._not_before.clear()
        self._wake.set()

    async def start(self) -> None:
        """Start the worker task."""
        if not self._tasks.running:
            self._tasks.spawn(self._run(), name="billing-outbox")

    async def stop(self) -> None:
        """Stop the worker between two changes (the one in hand is finished); the rest
        stay queued."""
        await self._tasks.stop()

    async def _run(self) -> None:
        while not self._tasks.stopping:
            self._wake.clear()
            with self._tasks.busy():
                try:
                    await self.run_once()
                except Exception:
                    log.exception("the billing outbox pass failed")
            if self._tasks.stopping:
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._next_wait())

    def _next_wait(self) -> float:
        now = asyncio.get_running_loop().time()
        soonest = min(self._not_before.values(), default=now + self._poll_interval)
        return max(0.01, min(self._poll_interval, soonest - now))

    async def run_once(self) -> int:
        """One pass over what is due; how many rows were finished."""
        async with self._pass_lock:  # passes never overlap, so nothing is sent twice
            return await self._pass()

    async def _pass(self) -> int:
        # Rows waiting out a backoff are left out of the query, so any number of stuck rows
        # never hides the ones behind them; a row is tried at most once per pass.
        now = asyncio.get_running_loop().time()
        self._not_before = {key: at for key, at in self._not_before.items() if at > now}
        finished = 0
        while True:
            async with self._db.read() as session:
                changes = await role_changes.pending_role_changes(
                    session, limit=_BATCH, exclude=self._deferred("role")
                )
                notices = await notice_queue.pending_notices(
                    session, limit=_BATCH, exclude=self._deferred("notice")
                )
            for change in changes:
                if self._tasks.stopping:
                    return finished
                finished += await self._apply_change(change)
            for notice in notices:
                if self._tasks.stopping:
                    return finished
                finished += await self._send_notice(notice)
            if len(changes) < _BATCH and len(notices) < _BATCH:
                return finished

    def _deferred(self, kind: str) -> set[int]:
        return {row_id for (of, row_id) in self._not_before if of == kind}

    def _defer(self, kind: str, row_id: int, delay: float) -> None:
        self._not_before[(kind, row_id)] = asyncio.get_running_loop().time() + delay

    # ------------------------------------------------------------ role changes

    async def _apply_change(self, change: RoleChange) -> int:
        assert change.id is not None
        async with self._db.transaction() as session:
            row = await role_changes.role_change(session, change.id)
            if row is None or row.status != "pending":
                return 0
            first_attempt = row.attempts == 0
            row.attempts += 1  # committed before Discord is asked: a crash then is not a first try
            session.add(row)
            managed = await role_changes.is_managed(session, row.guild_id, row.user_id, row.role_id)
        try:
            if row.action == "add":
                outcome = await self._add(row, first_attempt=first_attempt, managed=managed)
            else:
                outcome = await self._remove(row, managed=managed)
        except RoleRefused as error:  # waits, like a missing permission, until the role is safe
            await self._stuck(row, error, permission=True)
            return 0
        except MissingPermissions as error:
            await self._stuck(row, error, permission=True)
            return 0
        except (TemporarilyUnavailable, PortError) as error:
            await self._stuck(row, error, permission=False)
            return 0
        except Exception as error:  # a bug must not hold up every change behind this one
            log.exception("role change %s failed unexpectedly", change.id)
            await self._stuck(row, PortError(f"unexpected error: {error!r}"), permission=False)
            return 0
        await self._finish(row, outcome)
        self._not_before.pop(("role", change.id), None)
        return 1

    async def _add(self, change: RoleChange, *, first_attempt: bool, managed: bool) -> str:
        guild_id, user_id, role_id = change.guild_id, change.user_id, change.role_id
        current = await self._roles.member_role_ids(guild_id, user_id)
        if current is None:
            return "waiting_member"
        if role_id in current:
            # Already there before we ever tried: a moderator gave it; it stays theirs.
            return "done" if managed or not first_attempt else "done_unmanaged"
        role = await self._roles.describe(guild_id, role_id)
        problem = hand_out_problem(role) if role is not None else None
        if problem is not None:
            raise RoleRefused(problem)
        if not managed:
            # Ours from the moment we ask: Discord may apply it and the answer be lost (a 504,
            # or a crash before `_finish`), and a later remove must still take it away.
            async with self._db.transaction() as session:
                await role_changes.mark_managed(
                    session, guild_id, user_id, role_id, self._clock.now()
                )
        try:
            await self._roles.add(guild_id, user_id, role_id, change.reason or "paid tier")
        except TargetGone:
            if await self._roles.member_role_ids(guild_id, user_id) is None:
                return "waiting_member"
            raise PortError(f"role {role_id} does not exist any more") from None
        return "done"

    async def _remove(self, change: RoleChange, *, managed: bool) -> str:
        if not managed:
            return "done_unmanaged"
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
        return "done"

    async def _finish(self, change: RoleChange, outcome: str) -> None:
        now = self._clock.now()
        async with self._db.transaction() as session:
            row = await role_changes.role_change(session, change.id or 0)
            if row is None:
                return
            if outcome == "waiting_member":
                row.status = ChangeStatus.WAITING_MEMBER
                row.last_error = "the member is not in the server; applies when they join"
            else:
                row.status, row.applied_at = ChangeStatus.DONE, now
                if outcome == "done_unmanaged":
                    row.last_error = "left alone: the bot did not give this role"
                elif row.action == "add":
                    await role_changes.mark_managed(
                        session, row.guild_id, row.user_id, row.role_id, now
                    )
                if row.action == "remove" and outcome == "done":
                    await role_changes.unmark_managed(
                        session, row.guild_id, row.user_id, row.role_id
                    )
            session.add(row)

    async def _stuck(
        self, change: RoleChange, error: PortError | RoleRefused, *, permission: bool
    ) -> None:
        delay = self.backoff.delay(change.attempts, permission=permission)
        self._defer("role", change.id or 0, delay)
        now = self._clock.now()
        log.warning(
            "role change %s (%s role %s for %s) failed, retry in %.1fs: %s",
            change.id,
            change.action,
            change.role_id,
            change.user_id,
            delay,
            error,
        )
        async with self._db.transaction() as session:
            row = await role_changes.role_change(session, change.id or 0)
            if row is None:
                return
            row.last_error = str(error)[:2000]
            row.next_attempt_at = now + timedelta(seconds=delay)
            if permission and row.reported_at is None:
                # One notice per role an hour, however many members wait on it.
                told = await role_changes.permission_reported_since(
                    session, row.guild_id, row.role_id, now - PERMISSION_NOTICE_EVERY
                )
                row.reported_at = now
                if told:
                    session.add(row)
                    return
                text = _permission_notice(row.action, row.role_id, row.user_id, error)
                await notice_queue.queue_notice(session, row.guild_id, "mod_log", text, at=now)
                self._wake.set()
            session.add(row)

    # ------------------------------------------------------------ notices

    async def _send_notice(self, notice: BillingNotice) -> int:
        assert notice.id is not None
        error: str | None = None
        try:
            if notice.target == "dm" and notice.user_id is not None:
                gate = self.direct_messages()
                if gate is not None and not await gate.may_dm(notice.guild_id, notice.user_id):
                    error = "the member turned direct messages off"
                else:
                    await self._notifier.dm(notice.user_id, OutgoingMessage(content=notice.text))
            else:
                channel = self._mod_log_channel(notice.guild_id)
                if not channel:
                    error = "no mod_log_channel_id configured"
                    log.warning(
                        "moderator notice for guild %s (no log channel): %s",
                        notice.guild_id,
                        notice.text,
                    )
                else:
                    await self._publisher.post(channel, OutgoingMessage(content=notice.text))
        except (DirectMessagesClosed, MissingPermissions, TargetGone) as failure:
            error = str(failure)  # nobody can fix this by retrying
        except Exception as failure:  # PortError, or a bug: retried later, never blocking
            if not isinstance(failure, PortError):
                log.exception("notice %s failed unexpectedly", notice.id)
            async with self._db.transaction() as session:
                row = await notice_queue.notice(session, notice.id)
                if row is not None:
                    row.attempts += 1
                    row.last_error = str(failure)[:2000]
                    session.add(row)
                    self._defer("notice", notice.id, self.backoff.delay(row.attempts))
            return 0
        async with self._db.transaction() as session:
            row = await notice_queue.notice(session, notice.id)
            if row is not None:
                row.status, row.sent_at, row.last_error = (
                    NoticeStatus.DONE,
                    self._clock.now(),
                    error,
                )
                row.attempts += 1
                session.add(row)
        self._not_before.pop(("notice", notice.id), None)
        return 1


def _permission_notice(
    action: str, role_id: int, user_id: int, error: PortError | RoleRefused
) -> str:
    """What the moderators read when a role change is refused or forbidden."""
    who = {"role_id": role_id, "user_id": user_id}
    if isinstance(error, RoleRefused):
        return t(
            "⚠️ I did not give <@&{role_id}> to <@{user_id}>. {reason} "
            "I keep checking and will give it once the role is safe.",
            reason=error.reason,
            **who,
        )
    if action == "add":
        return t(
            "⚠️ I could not give <@&{role_id}> for <@{user_id}>: Discord "
            "says I lack permission. Move my role above the paid tier roles (Server "
            "Settings → Roles) and give me Manage Roles; I keep retrying and will apply "
            "it then.",
            **who,
        )
    return t(
        "⚠️ I could not take away <@&{role_id}> for <@{user_id}>: Discord "
        "says I lack permission. Move my role above the paid tier roles (Server "
        "Settings → Roles) and give me Manage Roles; I keep retrying and will apply "
        "it then.",
        **who,
    )
