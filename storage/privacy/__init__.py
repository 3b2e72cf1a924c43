"""What every feature's privacy hooks share: one member's rows, as data, gone or pseudonymised.

A feature's `forget_member(session, erasure)` erases what is personal and replaces the
member's id by `erasure.pseudonym` where a row must stay (aggregates, payment records), so
every number computed before is computed the same after. The pseudonym is negative: it
can never be a real Discord id.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, String, Table, cast, delete, select, type_coerce, update
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.stats.sql import execute
from storage.types import UTCDateTime

__all__ = [
    "Erasure",
    "delete_rows",
    "in_guild",
    "json_ready",
    "pseudonymise_rows",
    "rewrite_mentions",
    "rows_of",
    "table_of",
    "table_rows",
]


@dataclass(frozen=True)
class Erasure:
    """One member's deletion, as every feature's forget hook receives it."""

    guild_id: int
    user_id: int
    pseudonym: int  # negative: a keyed hash of (guild, user), never a real snowflake
    at: datetime  # when the deletion runs
    stop_recording: bool = False  # the member also asked not to be recorded again

    def __repr__(self) -> str:
        return f"Erasure(guild_id={self.guild_id}, pseudonym={self.pseudonym}, at={self.at})"

    __str__ = __repr__


def table_of(model: type[SQLModel] | Table) -> Table:
    """The Core table of a model (or the table itself)."""
    if isinstance(model, Table):
        return model
    table = getattr(model, "__table__")  # noqa: B009 - SQLModel declares no type for it
    assert isinstance(table, Table)
    return table


def json_ready(value: Any) -> Any:
    """A column value as JSON can hold it (times as ISO 8601 text)."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


async def rows_of(
    session: AsyncSession,
    model: type[SQLModel],
    guild_id: int,
    user_id: int,
    column: str = "user_id",
) -> list[dict[str, Any]]:
    """The member's rows of `model` as JSON-ready dicts."""
    return await table_rows(session, model, guild_id, user_id, column)


def in_guild(table: Table, guild_id: int, *, full_scan: bool = False) -> ColumnElement[bool]:
    """`guild_id = ?`; with `full_scan`, written so no index is used: on a table indexed by
    (guild_id, ...) but not by member (the interaction log), walking a whole guild's index
    and fetching each row costs several times one pass over the table."""
    column = table.c.guild_id
    return (column + 0 if full_scan else column) == guild_id


async def table_rows(
    session: AsyncSession,
    model: type[SQLModel] | Table,
    guild_id: int,
    user_id: int,
    column: str = "user_id",
    *,
    full_scan: bool = False,
) -> list[dict[str, Any]]:
    """The member's rows as JSON-ready dicts, read with Core (fast for large tables: times
    come as ISO 8601 UTC text without being parsed into datetimes and printed again)."""
    table = table_of(model)
    times = [c.name for c in table.columns if isinstance(c.type, UTCDateTime)]
    columns = [
        type_coerce(c, String).label(c.name) if c.name in times else c for c in table.columns
    ]
    query = select(*columns).where(
        in_guild(table, guild_id, full_scan=full_scan), table.c[column] == user_id
    )
    result = await execute(session, query)
    names = list(result.keys())
    rows = [dict(zip(names, row, strict=True)) for row in result.all()]
    for row in rows:
        for name in times:
            row[name] = _iso_utc(row[name])
    return rows


def _iso_utc(value: Any) -> Any:
    """A stored UTC time as ISO 8601 text (SQLite hands back its text, PostgreSQL a datetime)."""
    if isinstance(value, str):
        return f"{value.replace(' ', 'T', 1)}Z"
    return json_ready(value)


async def delete_rows(
    session: AsyncSession,
    model: type[SQLModel] | Table,
    guild_id: int,
    user_id: int,
    column: str = "user_id",
) -> int:
    """Delete the member's rows of `model`; how many went."""
    table = table_of(model)
    statement = delete(table).where(table.c.guild_id == guild_id, table.c[column] == user_id)
    result = await execute(session, statement)
    return int(result.rowcount or 0)


async def pseudonymise_rows(
    session: AsyncSession,
    model: type[SQLModel] | Table,
    erasure: Erasure,
    columns: Iterable[str] = ("user_id",),
) -> int:
    """Put the pseudonym in place of the member's id in these columns; how many rows changed."""
    table = table_of(model)
    changed = 0
    for column in columns:
        statement = (
            update(table)
            .where(table.c.guild_id == erasure.guild_id, table.c[column] == erasure.user_id)
            .values({column: erasure.pseudonym})
        )
        changed += int((await execute(session, statement)).rowcount or 0)
    return changed


def _swap(value: Any, old: int, new: int) -> Any:
    """`value` with every mention of `old` (as a number or inside text) made `new`."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return new if value == old else value
    if isinstance(value, str):
        return value.replace(str(old), str(new))
    if isinstance(value, list):
        return [_swap(item, old, new) for item in value]
    if isinstance(value, dict):
        return {_swap(key, old, new): _swap(item, old, new) for key, item in value.items()}
    return value


async def rewrite_mentions(
    session: AsyncSession,
    model: type[SQLModel] | Table,
    column: str,
    erasure: Erasure,
    *,
    key: str = "id",
    guild_scoped: bool = True,
    full_scan: bool = False,
) -> int:
    """Replace the member's id inside a text or JSON column (mentions, ids in details) by
    the pseudonym, in every row that holds it; how many rows changed."""
    table = table_of(model)
    needle = f"%{erasure.user_id}%"
    where: list[ColumnElement[bool]] = [cast(table.c[column], String).like(needle)]
    if guild_scoped:
        where.append(in_guild(table, erasure.guild_id, full_scan=full_scan))
    found = (await execute(session, select(table.c[key], table.c[column]).where(*where))).all()
    changed = 0
    for row_key, value in found:
        fresh = _swap(value, erasure.user_id, erasure.pseudonym)
        if fresh != value:
            await execute(
                session, update(table).where(table.c[key] == row_key).values({column: fresh})
            )
            changed += 1
    return changed
