"""What every feature's privacy hooks share: one member's rows, as data or gone."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, delete
from sqlmodel import SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession


def _table(model: type[SQLModel]) -> Table:
    table = getattr(model, "__table__")  # noqa: B009 - SQLModel declares no type for it
    assert isinstance(table, Table)
    return table


async def rows_of(
    session: AsyncSession,
    model: type[SQLModel],
    guild_id: int,
    user_id: int,
    column: str = "user_id",
) -> list[dict[str, Any]]:
    """The member's rows of `model` as JSON-ready dicts."""
    table = _table(model)
    query = select(model).where(table.c.guild_id == guild_id, table.c[column] == user_id)
    rows = (await session.exec(query)).all()
    return [row.model_dump(mode="json") for row in rows]


async def delete_rows(
    session: AsyncSession,
    model: type[SQLModel],
    guild_id: int,
    user_id: int,
    column: str = "user_id",
) -> int:
    """Delete the member's rows of `model`; how many went."""
    table = _table(model)
    statement = delete(table).where(table.c.guild_id == guild_id, table.c[column] == user_id)
    result = await session.exec(statement)
    return int(result.rowcount or 0)
