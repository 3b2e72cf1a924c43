"""`AuditService`: posts every audit entry to the moderators' log and answers `/audit`.

Features write entries inside their own transactions (`storage.audit.queries.add_audit`);
this service finds the ones not yet posted, so an entry is never lost to a failed post.
Each is marked right after its post, so only a crash between the two repeats one line.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.core.access import MODERATORS, AccessPolicy, Caller
from bot.core.clock import Clock
from bot.core.ports import Publisher
from bot.core.text import t
from bot.scheduler import Scheduler
from bot.services.mod_log import post_to_mod_log
from bot.settings import Settings
from storage.audit import queries as audit
from storage.audit.models import AuditEntry
from storage.database import Database

log = logging.getLogger(__name__)

POLL_SECONDS = 5.0
BATCH = 50
SHOWN = 20  # entries in one /audit answer
DETAIL_MAX = 120  # characters of one detail value in a line


@dataclass(frozen=True)
class AuditLine:
    """One entry as a moderator reads it."""

    entry_id: int
    at: datetime
    text: str


def describe(entry: AuditEntry) -> str:
    """One plain line: the action, who did it, to whom, and its details."""
    actor = t("Lyceum") if entry.actor_id == 0 else f"<@{entry.actor_id}>"
    parts = [t("`{action}` by {actor}", action=_plain(entry.action), actor=actor)]
    if entry.target_user_id is not None:
        parts.append(t("on <@{user_id}>", user_id=entry.target_user_id))
    details = _details(entry.details)
    if details:
        parts.append(f"({details})")
    return " ".join(parts)


def _details(details: dict[str, Any] | None) -> str:
    if not details:
        return ""
    return ", ".join(f"{_plain(str(k))}: {_plain(str(v))}" for k, v in sorted(details.items()))


def _plain(text: str) -> str:
    """User-given text made harmless in a line: no code-span breaks, no new lines, bounded."""
    flat = " ".join(text.replace("`", "'").split())
    return flat if len(flat) <= DETAIL_MAX else flat[: DETAIL_MAX - 1] + "…"


class AuditService:
    """Posts new audit entries to the moderators' log; reads the trail for moderators."""

    def __init__(
        self,
        settings: Settings,
        db: Database,
        clock: Clock,
        scheduler: Scheduler,
        publisher: Publisher,
    ) -> None:
        self._settings = settings
        self._db = db
        self._clock = clock
        self._scheduler = scheduler
        self._publisher = publisher
        self._access = AccessPolicy(settings.guild)
        self._posting = asyncio.Lock()  # the timer and a direct call never post one entry twice

    async def start(self) -> None:
        """Post what is waiting now and every few seconds after."""
        self._scheduler.every("audit-post", self.post_pending, seconds=POLL_SECONDS, start_now=True)

    async def stop(self) -> None:
        """Stop posting (entries left wait in the table for the next start)."""
        self._scheduler.cancel("audit-post")

    async def post_pending(self) -> int:
        """Post every unposted entry, oldest first; how many were handled."""
        handled = 0
        async with self._posting:
            while True:
                async with self._db.read() as session:
                    entries = await audit.unposted_entries(session, BATCH)
                if not entries:
                    return handled
                for entry in entries:
                    assert entry.id is not None
                    if not await self._post(entry):
                        return handled  # Discord is struggling: keep the order, retry later
                    async with self._db.transaction() as session:
                        await audit.mark_posted(session, [entry.id], self._clock.now())
                    handled += 1

    async def _post(self, entry: AuditEntry) -> bool:
        """Post one entry; False when it should be tried again later."""
        text = t("🛡️ {line}", line=describe(entry))
        return await post_to_mod_log(
            self._settings, self._publisher, entry.guild_id, text, what=f"audit entry {entry.id}"
        )

    async def entries(
        self,
        guild_id: int,
        caller: Caller,
        *,
        user_id: int | None = None,
        action: str | None = None,
    ) -> list[AuditLine]:
        """`/audit`: the newest entries, by or about a member and of one action if given."""
        self._access.require(MODERATORS, guild_id, caller)
        async with self._db.read() as session:
            rows = await audit.find_entries(
                session, guild_id, user_id=user_id, action=action, limit=SHOWN
            )
        return [AuditLine(r.id or 0, r.created_at, describe(r)) for r in rows]

    async def action_choices(self, guild_id: int, typed: str) -> list[str]:
        """Recorded action names containing `typed`, for autocomplete."""
        async with self._db.read() as session:
            return await audit.action_names(session, guild_id, typed[:40], 25)
