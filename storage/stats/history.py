"""Bulk writes for history imports, inside the caller's transaction (never commits).

Rows go through the driver's own executemany on SQLite (like the interaction log) and
one multi-row INSERT on PostgreSQL; duplicates of a `source_key` are skipped, so
importing the same history twice adds nothing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple

from sqlalchemy import case
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.stats import tables as t
from storage.stats.sql import execute


# guild_id, user_id, kind, channel_id, ref, at (aware), meta, source_key
class HistoryRow(NamedTuple):
    """One interaction-log row written in bulk (imported history, a roster catch-up)."""

    guild_id: int
    user_id: int
    kind: str
    channel_id: int | None
    ref: str | None
    at: datetime
    meta: dict[str, Any] | None
    source_key: str


_COLUMNS = ("guild_id", "user_id", "kind", "channel_id", "ref", "at", "meta", "source_key")
_SQLITE_INSERT = (
    f"INSERT OR IGNORE INTO interactions ({', '.join(_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in _COLUMNS)})"
)


_SQLITE_MEMBERS = (
    "INSERT INTO members (guild_id, user_id, first_joined_at, joined_at, in_guild, join_source,"
    " interests) VALUES (?, ?, ?, ?, 1, ?, '[]') ON CONFLICT (guild_id, user_id) DO UPDATE SET"
    " first_joined_at = CASE WHEN excluded.first_joined_at < members.first_joined_at"
    " THEN excluded.first_joined_at ELSE members.first_joined_at END"
)


def _sqlite_time(at: datetime) -> str:
    """An aware time as `UTCDateTime` stores it on SQLite."""
    if at.utcoffset():
        at = at.astimezone(UTC)
    return at.isoformat(" ", "microseconds")[:26]


def _sqlite_values(row: HistoryRow) -> tuple[Any, ...]:
    meta = None if row.meta is None else json.dumps(row.meta, separators=(",", ":"))
    return (row.guild_id, row.user_id, row.kind, row.channel_id, row.ref,
            _sqlite_time(row.at), meta, row.source_key)  # fmt: skip


# Page cache for a bulk import on SQLite: index inserts into a large log then mostly hit
# memory instead of the file (the default is 2 MB).
_BULK_CACHE_KIB = 256 * 1024


async def bulk_mode(session: AsyncSession, on: bool) -> None:
    """Give this connection a large page cache for a bulk import (SQLite), or take it back."""
    connection = await session.connection()
    if connection.dialect.name == "sqlite":
        size = -_BULK_CACHE_KIB if on else -2000
        await connection.exec_driver_sql(f"PRAGMA cache_size = {size}")


async def insert_interactions(session: AsyncSession, rows: Sequence[HistoryRow]) -> int:
    """Insert rows whose source_key is new; returns how many were added."""
    if not rows:
        return 0
    connection = await session.connection()
    if connection.dialect.name == "sqlite":
        raw = await connection.get_raw_connection()
        driver = raw.driver_connection
        assert driver is not None
        cursor = await driver.executemany(_SQLITE_INSERT, [_sqlite_values(r) for r in rows])
        return int(cursor.rowcount)
    statement = (
        pg_insert(t.interactions)
        .on_conflict_do_nothing(index_elements=["source_key"])
        .returning(t.interactions.c.id)
    )
    result = await connection.execute(statement, [r._asdict() for r in rows])
    return len(result.all())


@dataclass(frozen=True)
class ImportedMember:
    """What an import learned about one member: first sign of them, latest join message."""

    first_seen: datetime
    last_join: datetime | None  # None: no join message, they joined at their first message


async def upsert_members(
    session: AsyncSession,
    guild_id: int,
    found: Mapping[int, ImportedMember],
    source: str | None = None,
) -> None:
    """Add imported members to the roster, or move an existing member's first join back.

    Like `members.record_join` for an older join: the live state (joined_at, left_at,
    in_guild) of a known member is never changed by history. `source` names where the
    members came from (default: "import", or "first_message" without a join message).
    """
    if not found:
        return
    connection = await session.connection()
    rows = [
        (
            guild_id,
            user_id,
            member.first_seen,
            member.last_join or member.first_seen,
            source or ("import" if member.last_join else "first_message"),
        )
        for user_id, member in found.items()
    ]
    if connection.dialect.name == "sqlite":
        raw = await connection.get_raw_connection()
        driver = raw.driver_connection
        assert driver is not None
        await driver.executemany(
            _SQLITE_MEMBERS,
            [
                (g, u, _sqlite_time(first), _sqlite_time(joined), src)
                for g, u, first, joined, src in rows
            ],
        )
        return
    table = t.members
    for start in range(0, len(rows), 1000):
        statement = pg_insert(table)
        earlier = statement.excluded.first_joined_at < table.c.first_joined_at
        statement = statement.on_conflict_do_update(
            index_elements=["guild_id", "user_id"],
            set_={
                "first_joined_at": case(
                    (earlier, statement.excluded.first_joined_at),
                    else_=table.c.first_joined_at,
                )
            },
        )
        values = [
            {
                "guild_id": g,
                "user_id": u,
                "first_joined_at": first,
                "joined_at": joined,
                "in_guild": True,
                "join_source": source,
                "interests": [],
            }
            for g, u, first, joined, source in rows[start : start + 1000]
        ]
        await execute(session, statement, values)
