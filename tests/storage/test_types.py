from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy.exc import StatementError

from storage.activity import members
from storage.database import Database


async def test_naive_datetime_is_refused(db: Database) -> None:
    with pytest.raises(StatementError, match="naive datetime"):
        async with db.transaction() as session:
            await members.record_join(session, 1, 2, datetime(2026, 11, 23, 10, 0))


async def test_aware_datetime_comes_back_as_utc(db: Database) -> None:
    berlin_noon = datetime(2026, 11, 23, 12, 0, tzinfo=timezone(timedelta(hours=1)))
    async with db.transaction() as session:
        await members.record_join(session, 1, 2, berlin_noon)
    async with db.read() as session:
        member = await members.get(session, 1, 2)
    assert member is not None
    assert member.first_joined_at == datetime(2026, 11, 23, 11, 0, tzinfo=UTC)
    assert member.first_joined_at.tzinfo == UTC


async def test_snowflakes_keep_all_64_bits(db: Database) -> None:
    big = 2**63 - 1
    async with db.transaction() as session:
        await members.record_join(session, big, big - 1, datetime(2026, 11, 23, tzinfo=UTC))
    async with db.read() as session:
        member = await members.get(session, big, big - 1)
    assert member is not None and member.user_id == big - 1
