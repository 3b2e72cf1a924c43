from datetime import UTC, datetime, timedelta

from storage.activity import members
from storage.database import Database

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


async def test_rejoin_keeps_first_join(db: Database) -> None:
    async with db.transaction() as session:
        await members.record_join(session, 1, 7, T0)
        await members.record_leave(session, 1, 7, T0 + timedelta(days=3))
        await members.record_join(session, 1, 7, T0 + timedelta(days=10))
    async with db.read() as session:
        member = await members.get(session, 1, 7)
    assert member is not None
    assert member.first_joined_at == T0
    assert member.joined_at == T0 + timedelta(days=10)
    assert member.in_guild and member.left_at is None


async def test_leave_marks_member_gone(db: Database) -> None:
    async with db.transaction() as session:
        await members.record_join(session, 1, 7, T0)
        await members.record_leave(session, 1, 7, T0 + timedelta(days=1))
    async with db.read() as session:
        member = await members.get(session, 1, 7)
        present = await members.in_guild_user_ids(session, 1)
    assert member is not None and not member.in_guild
    assert member.left_at == T0 + timedelta(days=1)
    assert present == []


async def test_leave_of_unknown_member_changes_nothing(db: Database) -> None:
    async with db.transaction() as session:
        assert await members.record_leave(session, 1, 99, T0) is None
    async with db.read() as session:
        assert await members.get(session, 1, 99) is None


async def test_older_imported_join_moves_first_join_back(db: Database) -> None:
    async with db.transaction() as session:
        await members.record_join(session, 1, 7, T0)
        await members.record_join(session, 1, 7, T0 - timedelta(days=30), source="import")
    async with db.read() as session:
        member = await members.get(session, 1, 7)
    assert member is not None
    assert member.first_joined_at == T0 - timedelta(days=30)
    assert member.joined_at == T0


async def test_old_imported_join_does_not_bring_back_a_member_who_left(db: Database) -> None:
    async with db.transaction() as session:
        await members.record_join(session, 1, 7, T0)
        await members.record_leave(session, 1, 7, T0 + timedelta(days=2))
        await members.record_join(session, 1, 7, T0 - timedelta(days=30), source="import")
    async with db.read() as session:
        member = await members.get(session, 1, 7)
    assert member is not None and not member.in_guild
