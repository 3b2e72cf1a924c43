"""Group commit: many callers' writes share a transaction, each caller acts after commit."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from bot.core.clock import FakeClock
from storage.activity import members
from storage.database import Database, Session
from storage.drops import queries as drops
from storage.group_commit import GroupCommit

GUILD = 1
Work = Callable[[Session], Awaitable[int]]


class CountingDatabase(Database):
    """Counts write transactions."""

    def __init__(self, db: Database) -> None:
        super().__init__(db.engine)
        self.transactions = 0

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Session]:
        self.transactions += 1
        async with super().transaction() as session:
            yield session


def join(user_id: int, clock: FakeClock) -> Work:
    async def work(session: Session) -> int:
        await members.record_join(session, GUILD, user_id, clock.now())
        return user_id

    return work


def failing(user_id: int, clock: FakeClock) -> Work:
    async def work(session: Session) -> int:
        await members.record_join(session, GUILD, user_id, clock.now())
        raise ValueError("bad input")

    return work


async def present(db: Database) -> set[int]:
    async with db.read() as session:
        return set(await members.in_guild_user_ids(session, GUILD))


async def test_callers_queued_together_share_one_transaction_after_the_first(
    db: Database, clock: FakeClock
) -> None:
    counting = CountingDatabase(db)
    group = GroupCommit(counting)
    results = await asyncio.gather(*(group.run(join(user, clock)) for user in range(10, 60)))
    assert results == list(range(10, 60))
    assert await present(db) == set(range(10, 60))
    assert counting.transactions == 1  # all fifty were queued before the first began


async def test_a_failing_work_fails_only_its_caller_and_writes_nothing_of_it(
    db: Database, clock: FakeClock
) -> None:
    group = GroupCommit(db)
    outcomes = await asyncio.gather(
        group.run(join(1, clock)),
        group.run(join(2, clock)),
        group.run(failing(3, clock)),
        group.run(join(4, clock)),
        return_exceptions=True,
    )
    assert (outcomes[0], outcomes[1], outcomes[3]) == (1, 2, 4)
    assert isinstance(outcomes[2], ValueError)
    assert await present(db) == {1, 2, 4}


async def test_a_caller_returns_only_once_its_write_is_committed(
    db: Database, clock: FakeClock
) -> None:
    group = GroupCommit(db)
    await group.run(join(7, clock))
    assert await present(db) == {7}  # another connection sees it


async def test_a_batch_holds_at_most_max_batch_works(db: Database, clock: FakeClock) -> None:
    counting = CountingDatabase(db)
    group = GroupCommit(counting, max_batch=3)
    await asyncio.gather(*(group.run(join(user, clock)) for user in range(1, 11)))
    assert await present(db) == set(range(1, 11))
    assert counting.transactions == 4  # ten queued at once: 3 + 3 + 3 + 1


async def test_works_of_different_features_share_the_databases_one_queue(
    db: Database, clock: FakeClock
) -> None:
    counting = CountingDatabase(db)

    async def note_drop_member(session: Session) -> int:
        await drops.note_member(session, GUILD, 5, joined_at=clock.now())
        return 5

    results = await asyncio.gather(
        counting.write_together(join(5, clock)), counting.write_together(note_drop_member)
    )
    assert list(results) == [5, 5]
    assert await present(db) == {5}
    assert counting.transactions == 1
