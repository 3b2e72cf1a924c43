"""The engine and transactions: one `Database` per process, owned by `main()`."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from sqlalchemy import event, text
from sqlalchemy.engine import Connection
from sqlalchemy.engine.url import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.pool import StaticPool
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.group_commit import GroupCommit

SQLITE_BUSY_TIMEOUT_MS = 5000
_BETWEEN_TRANSACTIONS_POLL_S = 0.01
_BEGIN_OPTION = "lyceum_sqlite_begin"
_IN_WRITE: ContextVar[bool] = ContextVar("lyceum_in_write_transaction", default=False)

Session = AsyncSession
T = TypeVar("T")


class UnsupportedDatabase(ValueError):
    """The database URL names a driver Lyceum does not run on."""


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take BEGIN into our own hands so write transactions can be IMMEDIATE:
        # a deferred transaction that later writes fails at once with SQLITE_BUSY
        # instead of waiting for the busy timeout.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        connection.exec_driver_sql(connection.get_execution_options().get(_BEGIN_OPTION, "BEGIN"))


def create_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    """Build the async engine for `sqlite+aiosqlite` or `postgresql+asyncpg`."""
    parsed = make_url(url)
    if parsed.drivername == "sqlite+aiosqlite":
        memory = parsed.database in (None, "", ":memory:")
        engine = create_async_engine(
            url,
            echo=echo,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
            poolclass=StaticPool if memory else None,
        )
        _configure_sqlite(engine)
        return engine
    if parsed.drivername == "postgresql+asyncpg":
        return create_async_engine(url, echo=echo, pool_pre_ping=True, pool_size=10)
    raise UnsupportedDatabase(
        f"database url uses {parsed.drivername!r}; use sqlite+aiosqlite:// or postgresql+asyncpg://"
    )


class Database:
    """Owns the engine; hands out transactions. Storage functions never commit."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._sessions = async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)
        # One SQLite writer at a time in this process (transactions and the log writer).
        self.sqlite_writer = asyncio.Lock()
        # Tasks inside a transaction (or waiting for one), with how many they have open.
        self._holders: dict[asyncio.Task[Any], int] = {}
        # One queue for every feature's small writes, so a wave's bookkeeping shares
        # transactions across features instead of taking turns at the one writer.
        self._together = GroupCommit(self)

    @classmethod
    def from_url(cls, url: str, *, echo: bool = False) -> Database:
        """Build a database for a SQLAlchemy URL."""
        return cls(create_engine(url, echo=echo))

    @property
    def is_sqlite(self) -> bool:
        """True when running on SQLite."""
        return self.engine.dialect.name == "sqlite"

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A write transaction: committed when the block ends, rolled back on error."""
        if not self.is_sqlite:
            with self._held():
                async with self._sessions() as session, session.begin():
                    yield session
            return
        if _IN_WRITE.get():
            raise RuntimeError("a write transaction inside another one would wait for itself")
        # One SQLite writer at a time in this process: a BEGIN IMMEDIATE that finds the
        # file locked waits in SQLite's busy handler, which sleeps in steps of up to 100 ms.
        with self._held():
            async with self.sqlite_writer:
                token = _IN_WRITE.set(True)
                try:
                    async with self._sessions() as session, session.begin():
                        await session.connection(
                            execution_options={_BEGIN_OPTION: "BEGIN IMMEDIATE"}
                        )
                        yield session
                finally:
                    _IN_WRITE.reset(token)

    async def write_together(self, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
        """Run `work` (database reads and writes only) in a write transaction shared with
        other callers' works; its result once committed (nothing of it written if it fails).
        """
        return await self._together.run(work)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A read transaction: a consistent snapshot that never waits for writers.

        Ends with a commit of nothing, so loaded objects stay usable afterwards.
        """
        with self._held():
            async with self._sessions() as session, session.begin():
                yield session

    @contextmanager
    def _held(self) -> Iterator[None]:
        task = asyncio.current_task()
        if task is None:
            yield
            return
        self._holders[task] = self._holders.get(task, 0) + 1
        try:
            yield
        finally:
            left = self._holders.pop(task) - 1
            if left:
                self._holders[task] = left

    def in_transaction(self, task: asyncio.Task[Any]) -> bool:
        """True while `task` is inside (or waiting to begin) a transaction of this database."""
        return task in self._holders

    async def cancel_between_transactions(self, task: asyncio.Task[Any]) -> None:
        """Cancel `task` at a moment it holds no transaction, and wait for it to end.

        Cancelling a task in the middle of a transaction can leave its connection
        inside the transaction (SQLAlchemy's rollback is cancelled too), holding
        SQLite's write lock until the process exits.
        """
        while not task.done() and self.in_transaction(task):
            await asyncio.wait({task}, timeout=_BETWEEN_TRANSACTIONS_POLL_S)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    async def ping(self) -> bool:
        """True when the database answers a trivial query."""
        try:
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except Exception:
            return False
        return True

    async def close(self) -> None:
        """Close every pooled connection."""
        await self.engine.dispose()
