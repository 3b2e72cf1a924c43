"""The role outbox writes each change's end with the next change's claim."""

from __future__ import annotations

from bot.core.clock import FakeClock
from bot.services.roles.outbox import OutboxWorker
from storage.database import Database
from storage.roles import queries as role_changes
from storage.roles.models import RoleChange
from tests.services.billing.support import GUILD, MOD_LOG, PRO_ROLE, FakeDiscord
from tests.storage.test_group_commit import CountingDatabase

USERS = tuple(range(401, 406))


async def test_a_run_of_role_adds_costs_one_write_transaction_each_and_one_more(
    db: Database, clock: FakeClock
) -> None:
    discord = FakeDiscord()
    for user in USERS:
        discord.join(user)
    async with db.transaction() as session:
        for user in USERS:
            await role_changes.queue_role_change(
                session, GUILD, user, PRO_ROLE, "add", reason="test", at=clock.now()
            )
    counting = CountingDatabase(db)
    worker = OutboxWorker(counting, discord, discord, discord, clock, lambda _: MOD_LOG)

    assert await worker.run_once() == len(USERS)

    assert counting.transactions == len(USERS) + 1  # the last end is written on its own
    async with db.read() as session:
        rows = [await session.get(RoleChange, n) for n in range(1, len(USERS) + 1)]
        managed = [await role_changes.is_managed(session, GUILD, u, PRO_ROLE) for u in USERS]
    assert [(r.status, r.attempts) for r in rows if r] == [("done", 1)] * len(USERS)
    assert all(managed) and all(discord.roles_of(user) == {PRO_ROLE} for user in USERS)
