"""Posting drops exactly once: the drops table is the truth, the timer only wakes us.

A due drop is claimed (`scheduled` -> `posting`, one more attempt) and committed before
its post goes out, with a nonce fixed when the drop was made. Discord's `enforce_nonce`
returns the first message for a repeated nonce within a few minutes; after a crash, the
restart looks for the drop's Open button among the channel's recent messages before it
posts again. A drop due longer ago than the guild's grace is marked `missed` (and the
moderators told) rather than posted late. A failed post retries with doubling back-off,
then the moderators are told.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections import defaultdict
from datetime import datetime, timedelta

from bot.core.ids import custom_id
from bot.core.ports import (
    Button,
    Card,
    MissingPermissions,
    OutgoingMessage,
    PortError,
    TargetGone,
)
from bot.core.text import t
from bot.services.drops.core import FEATURE, Core
from bot.services.drops.repeat import next_occurrence
from bot.services.drops.sessions import LiveSessions
from bot.services.drops.views import RunSummary
from bot.services.workers import WorkerTasks
from storage.database import Session
from storage.drops import queries
from storage.drops.models import ContentItem, Drop

log = logging.getLogger(__name__)

CLAIM_BATCH = 1000
CONCURRENCY = 200
MAX_IDLE_S = 5.0  # re-read the table at least this often (the clock may be a test's)
RECENT_SCAN = 50
TEASER_COLOUR = 0x5865F2


def open_id(drop_id: int) -> str:
    """The Open button's custom id: the restart check looks for it too."""
    return custom_id(FEATURE, "open", drop_id)


def teaser(drop_id: int, item: ContentItem) -> OutgoingMessage:
    """The public post: a teaser card and the persistent Open button."""
    if item.access == "tier":
        access = t("🔒 {tier} members", tier=item.tier_key or "")
    elif item.access == "level":
        access = t("🔒 level {level} and up", level=item.level or 0)
    else:
        access = t("free for members")
    tags = " ".join(f"#{tag}" for tag in item.tags)
    footer = " · ".join(part for part in (access, tags) if part)
    card = Card(title=item.title, description=item.summary, colour=TEASER_COLOUR, footer=footer)
    return OutgoingMessage(
        cards=(card,), buttons=(Button(label=t("Open"), custom_id=open_id(drop_id)),)
    )


class Poster:
    """Claims due drops, posts them, marks them; the timer loop around it."""

    def __init__(self, core: Core) -> None:
        self.core = core
        self.workers = WorkerTasks(core.db)
        self._wake = asyncio.Event()
        self._ready = asyncio.Event()
        self._limit = asyncio.Semaphore(CONCURRENCY)
        self._one_run = asyncio.Lock()  # the timer and /drop post-now take turns
        # Threads are opened after the posts, off the posting path (best effort).
        self._thread_queue: asyncio.Queue[tuple[Drop, int, str]] = asyncio.Queue()
        self.posted_messages: dict[int, int] = {}  # message or thread id -> content id
        self.sessions: LiveSessions | None = None
        self._new_rows: list[Drop] = []  # next occurrences made by the run in hand

    # -- the timer -------------------------------------------------------------------------

    async def start(self) -> None:
        """Spawn the timer; it waits for the first catch-up (after READY) to post."""
        self.workers.spawn(self._loop(), "drops-timer")
        self.workers.spawn(self._thread_loop(), "drops-threads")

    async def stop(self) -> None:
        """Stop between two runs."""
        await self.workers.stop()

    def wake(self) -> None:
        """Something changed in the table: look again now."""
        self._wake.set()

    async def catch_up(self) -> RunSummary:
        """After READY: settle drops a crash left in `posting`, post what is due, then time."""
        recovered = await self.recover()
        summary = await self.run_due()
        summary.recovered.extend(recovered)
        await self._remember_posts()
        self._ready.set()
        self.wake()
        return summary

    async def _loop(self) -> None:
        await self._ready.wait()
        while not self.workers.stopping:
            async with self.core.db.read() as session:
                due = await queries.next_due(session)
            wait = MAX_IDLE_S
            if due is not None:
                wait = min(max((due - self.core.clock.now()).total_seconds(), 0.0), MAX_IDLE_S)
            if wait > 0:
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), wait)
                continue
            with self.workers.busy():
                await self.run_due()

    # -- one run ---------------------------------------------------------------------------

    async def run_due(self) -> RunSummary:
        """Post every drop due now (claim, post, mark); returns what happened."""
        async with self._one_run:
            return await self._run_due()

    async def _run_due(self) -> RunSummary:
        summary = RunSummary()
        while True:
            now = self.core.clock.now()
            async with self.core.db.transaction() as session:
                claimed = await queries.claim_due(session, now, CLAIM_BATCH)
                missed = await self._mark_missed(session, claimed, now)
                items = await self._items(session, [d for d in claimed if d not in missed])
            summary.missed.extend(d.id or 0 for d in missed)
            await self._report_missed(missed)
            todo = [d for d in claimed if d not in missed]
            results = await asyncio.gather(*(self._post(d, items[d.content_id]) for d in todo))
            await self._settle(todo, results, items, summary)
            if len(claimed) < CLAIM_BATCH:
                return summary

    async def _items(self, session: Session, drops: list[Drop]) -> dict[int, ContentItem]:
        return await queries.items_by_id(session, {d.content_id for d in drops})

    async def _mark_missed(
        self, session: Session, claimed: list[Drop], now: datetime
    ) -> list[Drop]:
        missed = []
        for drop in claimed:
            grace = timedelta(minutes=self.core.guild_settings(drop.guild_id).grace_minutes)
            if drop.attempts == 1 and now - drop.due_at > grace:
                drop.status = "missed"
                missed.append(drop)
                await queries.save_drop(session, drop)
                await self._next_in_series(session, drop, now)
        return missed

    async def _report_missed(self, missed: list[Drop]) -> None:
        by_guild: defaultdict[int, list[Drop]] = defaultdict(list)
        for drop in missed:
            by_guild[drop.guild_id].append(drop)
        for guild_id, drops in by_guild.items():
            listing = ", ".join(f"#{d.id} (<t:{int(d.scheduled_at.timestamp())}:f>)" for d in drops)
            await self.core.tell_moderators(
                guild_id,
                t("These drops were due while I was offline, past the grace period, and were "
                  "not posted late: {drops}. Use /drop post-now to post one anyway.",
                  drops=listing),
            )  # fmt: skip

    async def _post(self, drop: Drop, item: ContentItem | None) -> int | PortError:
        if item is None or item.removed_at is not None:
            return PortError("the item was removed")
        if item.kind == "event" and drop.event_id:
            if self.sessions is not None:
                await self.sessions.started(drop)
            return 0  # a live session: Discord's scheduled event is its post
        async with self._limit:
            try:
                return await self.core.channel.post(
                    drop.channel_id, teaser(drop.id or 0, item), drop.nonce
                )
            except PortError as error:
                return error

    async def _settle(
        self,
        drops: list[Drop],
        results: list[int | PortError],
        items: dict[int, ContentItem],
        summary: RunSummary,
    ) -> None:
        now = self.core.clock.now()
        self._new_rows = []
        posted = [(d, r) for d, r in zip(drops, results, strict=True) if isinstance(r, int)]
        failed = [(d, r) for d, r in zip(drops, results, strict=True) if isinstance(r, PortError)]
        gave_up: list[tuple[Drop, PortError]] = []
        async with self.core.db.transaction() as session:
            await queries.mark_posted(session, [(d.id or 0, m) for d, m in posted], now)
            for drop, _ in posted:
                await self._next_in_series(session, drop, now)
            for drop, error in failed:
                drop.last_error = str(error)[:300]
                final = (
                    isinstance(error, MissingPermissions | TargetGone)
                    or (drop.attempts >= self.core.guild_settings(drop.guild_id).max_attempts)
                    or drop.content_id not in items
                    or items[drop.content_id].removed_at is not None
                )
                if final:
                    drop.status = "failed"
                    gave_up.append((drop, error))
                    summary.failed.append(drop.id or 0)
                else:
                    base = self.core.guild_settings(drop.guild_id).retry_base_s
                    drop.status = "scheduled"
                    drop.due_at = now + timedelta(seconds=base * 2 ** (drop.attempts - 1))
                    summary.retried.append(drop.id or 0)
                await queries.save_drop(session, drop)
        for drop, message_id in posted:
            summary.posted.append(drop.id or 0)
            if message_id:
                self.posted_messages[message_id] = drop.content_id
        await self._events_for(self._new_rows, items)
        for drop, error in gave_up:
            await self.core.tell_moderators(
                drop.guild_id,
                t("Drop #{id} could not be posted in <#{channel}> after {n} tries: {error}",
                  id=drop.id, channel=drop.channel_id, n=drop.attempts, error=str(error)[:200]),
            )  # fmt: skip
        for drop, message_id in posted:
            if message_id:
                self._thread_queue.put_nowait((drop, message_id, items[drop.content_id].title))
        if failed:
            self.wake()

    async def _next_in_series(self, session: Session, drop: Drop, now: datetime) -> None:
        following = next_occurrence(drop.repeat, drop.scheduled_at, drop.timezone)
        while following is not None and following <= now:  # skip what passed (no backlog)
            following = next_occurrence(drop.repeat, following, drop.timezone)
        if following is None:
            return
        series = drop.series_id or drop.id or 0
        row = Drop(
            guild_id=drop.guild_id, content_id=drop.content_id, channel_id=drop.channel_id,
            scheduled_at=following, due_at=following, repeat=drop.repeat,
            timezone=drop.timezone, series_id=series, created_by=drop.created_by,
            created_at=now, nonce=new_nonce(), location=drop.location,
        )  # fmt: skip
        await queries.save_drop(session, row)
        self._new_rows.append(row)

    async def _events_for(self, rows: list[Drop], items: dict[int, ContentItem]) -> None:
        """Each next occurrence of a live session gets its own scheduled event."""
        made = []
        for row in rows:
            item = items.get(row.content_id)
            if item is not None and item.kind == "event" and self.sessions is not None:
                row.event_id = await self.sessions.create_event(row, item) or None
                made.append(row)
        if made:
            async with self.core.db.transaction() as session:
                for row in made:
                    await queries.save_drop(session, row)

    async def _thread_loop(self) -> None:
        while not self.workers.stopping:
            batch = [await self._thread_queue.get()]
            while not self._thread_queue.empty() and len(batch) < CLAIM_BATCH:
                batch.append(self._thread_queue.get_nowait())
            with self.workers.busy():
                try:
                    await self.open_threads(batch)
                finally:
                    for _ in batch:
                        self._thread_queue.task_done()

    async def open_threads(self, posted: list[tuple[Drop, int, str]]) -> None:
        """A discussion thread per post (best effort: the post stands without one)."""

        async def one(drop: Drop, message_id: int, title: str) -> tuple[Drop, int]:
            async with self._limit:
                try:
                    return drop, await self.core.channel.start_thread(
                        drop.channel_id, message_id, title[:100]
                    )
                except PortError as error:
                    log.info("no thread for drop %s: %s", drop.id, error)
                    return drop, 0

        made = [(d, t) for d, t in await asyncio.gather(*(one(*p) for p in posted)) if t]
        for drop, thread_id in made:
            self.posted_messages[thread_id] = drop.content_id
        if made:
            async with self.core.db.transaction() as session:
                await queries.set_threads(session, [(d.id or 0, t) for d, t in made])

    async def threads_settled(self) -> None:
        """Wait until every queued thread is open (tests and the demo)."""
        await self._thread_queue.join()

    # -- after a crash ---------------------------------------------------------------------

    async def recover(self) -> list[int]:
        """Drops left `posting`: posted already (found in the channel) or back to scheduled."""
        async with self.core.db.read() as session:
            hanging = await queries.in_posting(session)
        if not hanging:
            return []
        found: dict[int, int] = {}
        for channel_id in {d.channel_id for d in hanging}:
            try:
                recent = await self.core.channel.recent(channel_id, RECENT_SCAN)
            except PortError as error:
                log.warning("drops could not read channel %s: %s", channel_id, error)
                continue
            for post in recent:
                for cid in post.custom_ids if post.author_is_bot else ():
                    if cid.startswith(open_id(0)[:-1]):
                        found.setdefault(int(cid.rsplit(":", 1)[1]), post.id)
        now = self.core.clock.now()
        recovered = []
        async with self.core.db.transaction() as session:
            for drop in hanging:
                message_id = found.get(drop.id or 0)
                if message_id is not None:
                    await queries.mark_posted(session, [(drop.id or 0, message_id)], now)
                    await self._next_in_series(session, drop, now)
                    recovered.append(drop.id or 0)
                else:
                    drop.status = "scheduled"  # not out: the nonce guards a very recent one
                    drop.attempts = max(drop.attempts - 1, 0)
                    await queries.save_drop(session, drop)
        return recovered

    async def _remember_posts(self) -> None:
        """Which messages and threads are drop posts (for likes and comments)."""
        async with self.core.db.read() as session:
            self.posted_messages.update(await queries.posted_message_ids(session))


def new_nonce() -> str:
    """A nonce for one drop row, fixed when the row is made (Discord allows 25 characters)."""
    return "d" + secrets.token_hex(10)
