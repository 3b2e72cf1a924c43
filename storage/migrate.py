"""Apply and inspect Alembic migrations on the app's own engine."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from storage.database import Database

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


class DatabaseNotMigrated(RuntimeError):
    """The database schema is missing or older than this code."""


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revisions() -> frozenset[str]:
    """The newest revision of every branch this code knows (parallel features may branch)."""
    return frozenset(ScriptDirectory.from_config(_config()).get_heads())


async def current_revisions(db: Database) -> frozenset[str]:
    """The revisions the database is at; empty when it was never migrated."""

    def read(connection: Connection) -> frozenset[str]:
        return frozenset(MigrationContext.configure(connection).get_current_heads())

    async with db.engine.connect() as conn:
        return await conn.run_sync(read)


async def upgrade(db: Database, revision: str = "heads") -> None:
    """Bring the schema up to `revision` (default: the newest of every branch)."""

    def run(connection: Connection) -> None:
        command.upgrade(_config(connection), revision)

    async with db.engine.begin() as conn:
        await conn.run_sync(run)


async def ensure_migrated(db: Database) -> None:
    """Raise `DatabaseNotMigrated` unless the schema is at every head."""
    current, heads = await current_revisions(db), head_revisions()
    if current != heads:
        found = f"revision {', '.join(sorted(current))}" if current else "no schema"
        raise DatabaseNotMigrated(
            f"the database has {found} but this version needs {', '.join(sorted(heads))}; "
            "run `lyceum migrate --config PATH` first"
        )
