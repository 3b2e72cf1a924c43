"""Where members come from: invite use counts, diffed on each join.

With Manage Server the bot may read every invite of a guild with its `uses` (and the vanity
URL's). A snapshot of those counts is taken at connect and kept current on INVITE_CREATE /
INVITE_DELETE; joins are queued (the join itself never waits) and one worker compares the
counts after them with the snapshot:

- exactly one code rose, by at least the number of joins waiting: they all came through it
  (a rise beyond that is kept as credit for joins whose event is still on its way);
- anything else — two codes rose at once, nothing rose, a code the bot never saw, counts
  unavailable (no Manage Server, Discord failed) — is `unknown`. Never a guess.

The source is stored on the member row (`members.source`) once, at their first live join.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from bot.services.workers import WorkerTasks
from storage.activity import members
from storage.database import Database

log = logging.getLogger(__name__)

UNKNOWN = "unknown"
SETTLE_S = 5.0  # credit no join claimed for this long is dropped (a re-read of the counts)


class InviteCounter(Protocol):
    """Reads a guild's invite codes and their use counts from Discord."""

    def guild_ids(self) -> list[int]:
        """The guilds the bot is in."""
        ...

    async def counts(self, guild_id: int) -> dict[str, int] | None:
        """Every code (the vanity code included) → uses; None when unavailable."""
        ...


class NoCounter:
    """Sees no guild and no counts (before the bot is attached)."""

    def guild_ids(self) -> list[int]:
        """No guilds."""
        return []

    async def counts(self, guild_id: int) -> dict[str, int] | None:
        """Counts are unavailable."""
        return None


@dataclass(frozen=True)
class Attribution:
    """What one comparison of the counts says: the code the waiting joins came through
    (None: unknown) and the snapshot to keep."""

    code: str | None
    snapshot: dict[str, int]


def attribute(before: Mapping[str, int], after: Mapping[str, int], joins: int) -> Attribution:
    """Compare counts taken before and after `joins` (>= 1) joins."""
    unseen = [code for code, uses in after.items() if code not in before and uses > 0]
    rises = {
        code: uses - before.get(code, 0)
        for code, uses in after.items()
        if uses > before.get(code, 0) and code in before
    }
    if unseen or len(rises) != 1:
        return Attribution(None, dict(after))
    ((code, rise),) = rises.items()
    if rise < joins:
        return Attribution(None, dict(after))
    # The joins explain `joins` uses; the rest is credit for joins still on their way.
    snapshot = dict(after)
    snapshot[code] = before[code] + joins
    return Attribution(code, snapshot)


class InviteTracker:
    """Keeps each guild's invite counts and attributes its joins, one guild pass at a time."""

    def __init__(self, db: Database, *, settle: float = SETTLE_S) -> None:
        self.counter: InviteCounter = NoCounter()
        self._db = db
        self._settle = settle
        self._snapshots: dict[int, dict[str, int]] = {}
        self._pending: dict[int, list[int]] = {}
        self._credit_since: dict[int, float] = {}  # guild → loop time credit was left
        self._lock = asyncio.Lock()
        self._wake = asyncio.Event()
        self._tasks = WorkerTasks(db)

    # -- lifecycle ---------------------------------------------------------------------

    async def start(self) -> None:
        """Start the worker."""
        if not self._tasks.running:
            self._tasks.spawn(self._run(), name="onboarding-invites")

    async def stop(self) -> None:
        """Stop the worker between two passes (joins still waiting stay without a source)."""
        await self._tasks.stop()

    # -- what happened -----------------------------------------------------------------

    def joined(self, guild_id: int, user_id: int) -> None:
        """A member joined: attribute them soon (the join does not wait)."""
        self._pending.setdefault(guild_id, []).append(user_id)
        self._wake.set()

    async def refresh_all(self) -> None:
        """Take every guild's snapshot afresh (at connect)."""
        for guild_id in self.counter.guild_ids():
            await self.refresh(guild_id)

    async def refresh(self, guild_id: int) -> None:
        """Take the guild's snapshot afresh (none when counts are unavailable)."""
        async with self._lock:
            counts = await self.counter.counts(guild_id)
            self._credit_since.pop(guild_id, None)
            if counts is None:
                self._snapshots.pop(guild_id, None)
            else:
                self._snapshots[guild_id] = counts

    async def invite_created(self, guild_id: int, code: str, uses: int = 0) -> None:
        """INVITE_CREATE: the new code starts at its uses (0)."""
        async with self._lock:
            snapshot = self._snapshots.get(guild_id)
            if snapshot is not None:
                snapshot[code] = uses

    async def invite_deleted(self, guild_id: int, code: str) -> None:
        """INVITE_DELETE: forget the code."""
        async with self._lock:
            snapshot = self._snapshots.get(guild_id)
            if snapshot is not None:
                snapshot.pop(code, None)

    def snapshot(self, guild_id: int) -> dict[str, int] | None:
        """The counts the tracker holds for the guild (None: none)."""
        held = self._snapshots.get(guild_id)
        return dict(held) if held is not None else None

    # -- the worker --------------------------------------------------------------------

    async def _run(self) -> None:
        while not self._tasks.stopping:
            self._wake.clear()
            with self._tasks.busy():
                try:
                    await self.run_once()
                except Exception:
                    log.exception("invite attribution pass failed")
            if self._tasks.stopping:
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._next_wait())

    def _next_wait(self) -> float | None:
        if not self._credit_since:
            return None
        now = asyncio.get_running_loop().time()
        oldest = min(self._credit_since.values())
        return max(0.0, oldest + self._settle - now)

    async def run_once(self) -> None:
        """Attribute every waiting join; drop credit nobody claimed in time."""
        for guild_id in [g for g, users in self._pending.items() if users]:
            await self._pass(guild_id)
        now = asyncio.get_running_loop().time()
        for guild_id, since in list(self._credit_since.items()):
            if now - since >= self._settle and not self._pending.get(guild_id):
                await self.refresh(guild_id)

    async def _pass(self, guild_id: int) -> None:
        async with self._lock:
            users = self._pending.pop(guild_id, [])
            if not users:
                return
            after = await self.counter.counts(guild_id)
            before = self._snapshots.get(guild_id)
            code: str | None = None
            if after is None:
                self._snapshots.pop(guild_id, None)
            elif before is None:
                self._snapshots[guild_id] = after
            else:
                result = attribute(before, after, len(users))
                code, self._snapshots[guild_id] = result.code, result.snapshot
            credit = after is not None and self._snapshots[guild_id] != after
            if credit:
                self._credit_since[guild_id] = asyncio.get_running_loop().time()
            else:
                self._credit_since.pop(guild_id, None)
        source = code or UNKNOWN
        async with self._db.transaction() as session:
            await members.set_sources(session, guild_id, users, source)
        log.debug("guild %s: %d join(s) from %s", guild_id, len(users), source)
