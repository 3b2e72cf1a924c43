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


def head_revision() -> str | None:
    """The newest revision this code knows."""
    return ScriptDirectory.from_config(_config()).get_current_head()


async def current_revision(db: Database) -> str | None:
    """The revision the database is at, or None when it was never migrated."""

    def read(connection: Connection) -> str | None:
        return MigrationContext.configure(connection).get_current_revision()

    async with db.engine.connect() as conn:
        return await conn.run_sync(read)


async def upgrade(db: Database, revision: str = "head") -> None:
    """Bring the schema up to `revision` (default: the newest)."""

    def run(connection: Connection) -> None:
        command.upgrade(_config(connection), revision)

    async with db.engine.begin() as conn:
        await conn.run_sync(run)


async def ensure_migrated(db: Database) -> None:
    """Raise `DatabaseNotMigrated` unless the schema is at head."""
    current, head = await current_revision(db), head_revision()
    if current != head:
        found = "no schema" if current is None else f"revision {current}"
        raise DatabaseNotMigrated(
            f"the database has {found} but this version needs {head}; "
            "run `lyceum migrate --config PATH` first"
        )
