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
)
from bot.services.roles.changes import PERMISSION_NOTICE_EVERY, ChangeApplier
from bot.services.workers import WorkerTasks
from storage.database import Database
from storage.notices import queries as notice_queue
from storage.notices.models import BillingNotice, NoticeStatus
from storage.roles import queries as role_changes

log = logging.getLogger(__name__)

_BATCH = 100
__all__ = ["PERMISSION_NOTICE_EVERY", "Backoff", "OutboxWorker"]


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
        self._changes = ChangeApplier(
            db,
            roles,
            clock,
            delay=lambda attempts, permission: self.backoff.delay(attempts, permission=permission),
            defer=lambda row_id, delay: self._defer("role", row_id, delay),
            notice_queued=self._wake.set,
        )
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
                    await self._changes.flush()
                    return finished
                if await self._changes.apply(change):
                    finished += 1
                    self._not_before.pop(("role", change.id or 0), None)
            await self._changes.flush()
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
