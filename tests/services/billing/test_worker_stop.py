"""Stopping the billing workers at shutdown: between units of work, never inside one."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from bot.core.clock import FakeClock
from bot.services.billing.apply import ApplyResult, EventApplier
from bot.services.billing.webhooks import EventWorker
from bot.services.roles.outbox import OutboxWorker
from storage.billing.queries import EventRow
from storage.database import Database, Session
from storage.roles import queries as role_changes
from storage.roles.models import RoleChange
from tests.conftest import ON_POSTGRES
from tests.services.billing.support import GUILD, MOD_LOG, PRO_ROLE, FakeDiscord
from tests.storage.test_interaction_log_shutdown import lock_is_free

USERS = (301, 302)


class HeldAdd(FakeDiscord):
    """Discord answers role adds only once the test lets it."""

    def __init__(self) -> None:
        super().__init__()
        self.adding = asyncio.Event()
        self.answer = asyncio.Event()

    async def add(self, guild_id: int, user_id: int, role_id: int, reason: str) -> None:
        self.adding.set()
        await self.answer.wait()
        await super().add(guild_id, user_id, role_id, reason)


class PausingDatabase(Database):
    """Holds the next write transaction open, just before its commit, until resumed."""

    def __init__(self, db: Database) -> None:
        super().__init__(db.engine)
        self.pause_next = False
        self.paused = asyncio.Event()
        self.resume = asyncio.Event()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Session]:
        async with super().transaction() as session:
            yield session
            if self.pause_next:
                self.pause_next = False
                self.paused.set()
                await self.resume.wait()


async def queue_adds(db: Database, clock: FakeClock) -> list[int]:
    async with db.transaction() as session:
        changes = [
            await role_changes.queue_role_change(
                session, GUILD, user, PRO_ROLE, "add", reason="test", at=clock.now()
            )
            for user in USERS
        ]
    return [change.id or 0 for change in changes]


async def change_states(db: Database, ids: list[int]) -> list[tuple[str, int]]:
    async with db.read() as session:
        rows = [await session.get(RoleChange, change_id) for change_id in ids]
    return [(row.status, row.attempts) for row in rows if row is not None]


def outbox(db: Database, discord: FakeDiscord, clock: FakeClock) -> OutboxWorker:
    for user in USERS:
        discord.join(user)
    return OutboxWorker(db, discord, discord, discord, clock, lambda _: MOD_LOG)


async def test_stopping_the_outbox_finishes_the_change_in_hand_and_leaves_the_next_queued(
    db: Database, clock: FakeClock
) -> None:
    discord = HeldAdd()
    worker = outbox(db, discord, clock)
    ids = await queue_adds(db, clock)
    await worker.start()
    await asyncio.wait_for(discord.adding.wait(), 5)
    stopping = asyncio.create_task(worker.stop())
    await asyncio.sleep(0.05)
    discord.answer.set()
    await asyncio.wait_for(stopping, 5)
    assert await change_states(db, ids) == [("done", 1), ("pending", 0)]
    assert discord.roles_of(USERS[0]) == {PRO_ROLE} and discord.roles_of(USERS[1]) == set()


async def test_stopping_the_outbox_inside_a_transaction_lets_it_commit_and_frees_the_lock(
    db: Database, clock: FakeClock, tmp_path: Path
) -> None:
    pausing = PausingDatabase(db)
    worker = outbox(pausing, FakeDiscord(), clock)
    ids = await queue_adds(db, clock)
    pausing.pause_next = True
    await worker.start()
    await asyncio.wait_for(pausing.paused.wait(), 5)  # attempts += 1, not committed yet
    stopping = asyncio.create_task(worker.stop())
    await asyncio.sleep(0.05)
    pausing.resume.set()
    await asyncio.wait_for(stopping, 5)
    assert await change_states(db, ids) == [("done", 1), ("pending", 0)]
    if not ON_POSTGRES:
        assert lock_is_free(tmp_path / "lyceum.db")


class HeldApplier(EventApplier):
    """Applies an event (marks it processed) once the test lets it."""

    def __init__(self, db: Database) -> None:  # no Stripe, ledger or clock: apply() is replaced
        self.db = db
        self.applying = asyncio.Event()
        self.answer = asyncio.Event()
        self.finished: list[str] = []

    async def apply(
        self, event_id: str, row: EventRow | None = None, arrived: float | None = None
    ) -> ApplyResult:
        self.applying.set()
        await self.answer.wait()
        self.finished.append(event_id)
        return ApplyResult("applied")


async def test_stopping_the_event_worker_finishes_the_events_in_hand_only(db: Database) -> None:
    applier = HeldApplier(db)
    worker = EventWorker(db, applier, on_effects=lambda _: None, concurrency=1)
    await worker.start()
    worker.notify(["evt_1", "evt_2"])
    await asyncio.wait_for(applier.applying.wait(), 5)
    stopping = asyncio.create_task(worker.stop())
    await asyncio.sleep(0.05)
    applier.answer.set()
    await asyncio.wait_for(stopping, 5)
    assert applier.finished == ["evt_1"] and not worker.running


async def test_a_worker_stopped_while_idle_stops_at_once(db: Database, clock: FakeClock) -> None:
    worker = outbox(db, FakeDiscord(), clock)
    await worker.start()
    await asyncio.sleep(0.05)
    await asyncio.wait_for(worker.stop(), 1)
