import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

from storage.database import Database
from storage.migrate import (
    DatabaseNotMigrated,
    current_revisions,
    ensure_migrated,
    head_revisions,
    upgrade,
)
from storage.schema import load_models

load_models()


async def test_fresh_database_is_reported_unmigrated(database_url: str) -> None:
    db = Database.from_url(database_url)
    try:
        with pytest.raises(DatabaseNotMigrated, match="lyceum migrate"):
            await ensure_migrated(db)
    finally:
        await db.close()


async def test_upgrade_reaches_head(db: Database) -> None:
    assert await current_revisions(db) == head_revisions()
    await ensure_migrated(db)


async def test_upgrade_builds_every_table_of_the_model(db: Database) -> None:
    def table_names(connection: Connection) -> set[str]:
        return set(inspect(connection).get_table_names())

    async with db.engine.connect() as conn:
        tables = await conn.run_sync(table_names)
    assert set(SQLModel.metadata.tables) <= tables


async def test_migrations_match_the_models(db: Database) -> None:
    def differences(connection: Connection) -> list[object]:
        # SQLite's FTS5 search indexes (virtual tables and their shadows) are no model.
        def modelled(name: str | None, type_: str, parent: object) -> bool:
            return not (type_ == "table" and name is not None and "_fts" in name)

        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_name": modelled}
        )
        return list(compare_metadata(context, SQLModel.metadata))

    async with db.engine.connect() as conn:
        assert await conn.run_sync(differences) == []


async def test_upgrade_twice_is_harmless(db: Database) -> None:
    await upgrade(db)
    assert await current_revisions(db) == head_revisions()
