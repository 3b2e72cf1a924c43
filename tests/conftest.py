"""Shared fixtures: a migrated database (SQLite, or PostgreSQL when DATABASE_URL is set)."""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.core.clock import FakeClock
from storage.database import Database
from storage.migrate import upgrade

POSTGRES_URL = os.environ.get("DATABASE_URL", "")
ON_POSTGRES = POSTGRES_URL.startswith("postgresql")
sqlite_only = pytest.mark.skipif(ON_POSTGRES, reason="checks SQLite-specific behaviour")


@pytest.fixture(autouse=True)
def _logging_as_it_was() -> Iterator[None]:
    """The CLI configures the root logger; each test leaves it as it found it."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that uses the database, so CI can run exactly those on PostgreSQL."""
    for item in items:
        if "database_url" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.database)


async def _reset_postgres(url: str) -> None:
    db = Database.from_url(url)
    try:
        async with db.engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
    finally:
        await db.close()


@pytest.fixture
async def database_url(tmp_path: Path) -> str:
    """An empty database: PostgreSQL when DATABASE_URL is set, else a fresh SQLite file."""
    if ON_POSTGRES:
        await _reset_postgres(POSTGRES_URL)
        return POSTGRES_URL
    return f"sqlite+aiosqlite:///{tmp_path / 'lyceum.db'}"


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    """A migrated, empty database."""
    database = Database.from_url(database_url)
    await upgrade(database)
    try:
        yield database
    finally:
        await database.close()


@pytest.fixture
def clock() -> FakeClock:
    """A clock at Monday 2026-11-23 10:00 UTC that moves only when told."""
    return FakeClock(datetime(2026, 11, 23, 10, 0, tzinfo=UTC))
