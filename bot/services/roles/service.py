"""`RoleService`: the one outbox for every role the bot gives, whatever feature asks.

Features queue a change inside their own transaction (`request`), then `wake()` the
worker after commit. The worker applies changes on Discord until they are done (see
`outbox.py`), and sends the queued notices (DMs, moderators' log posts) too.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from bot.core.clock import Clock
from bot.core.ports import DirectMessages, Notifier, Publisher, Roles
from bot.services.roles.outbox import OutboxWorker
from bot.settings import Settings
from storage.database import Database, Session
from storage.roles import queries as role_changes

log = logging.getLogger(__name__)


class RoleService:
    """Queues role changes and notices for the outbox worker, and runs it."""

    def __init__(
        self,
        settings: Settings,
        db: Database,
        clock: Clock,
        *,
        roles: Roles,
        notifier: Notifier,
        publisher: Publisher,
        direct_messages: Callable[[], DirectMessages | None] | None = None,
    ) -> None:
        self._settings = settings
        self._db = db
        self._clock = clock
        self.outbox = OutboxWorker(db, roles, notifier, publisher, clock, self._mod_log_channel)
        if direct_messages is not None:  # DM notices honour the member's opt-out
            self.outbox.direct_messages = direct_messages

    async def start(self) -> None:
        """Start the outbox worker (it picks up what was left unfinished)."""
        await self.outbox.start()

    async def stop(self) -> None:
        """Stop the worker between two changes; the rest stays queued."""
        await self.outbox.stop()

    async def request(
        self,
        session: Session,
        guild_id: int,
        user_id: int,
        role_id: int,
        action: str,
        *,
        reason: str,
    ) -> None:
        """Queue giving (`add`) or taking away (`remove`) a role, in the caller's transaction;
        call `wake()` after commit."""
        await role_changes.queue_role_change(
            session, guild_id, user_id, role_id, action, reason=reason, at=self._clock.now()
        )

    def wake(self) -> None:
        """Something new was committed: the worker looks now."""
        self.outbox.wake()

    def retry_now(self) -> None:
        """Forget every backoff (after a moderator fixed permissions) and look now."""
        self.outbox.retry_now()

    async def member_returned(self, guild_id: int, user_id: int) -> int:
        """Changes that waited for a member who was away apply now; how many."""
        async with self._db.transaction() as session:
            woken = await role_changes.wake_waiting_changes(session, guild_id, user_id)
        if woken:
            self.wake()
        return woken

    def _mod_log_channel(self, guild_id: int) -> int:
        guild = self._settings.guild(guild_id)
        return guild.mod_log_channel_id if guild else 0
