"""What every outbox table shares: pending rows, oldest first, skipping some ids."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, Protocol, TypeVar

from sqlalchemy import bindparam
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession


class OutboxRow(Protocol):
    """A table with an id and a status (`pending` until done)."""

    @property
    def id(self) -> int | None:
        """The row's id."""
        ...

    @property
    def status(self) -> str:
        """`pending` until done."""
        ...


Row = TypeVar("Row", bound=OutboxRow)


def not_in(column: Any, ids: Collection[int]) -> Any:
    """`column NOT IN ids`, the ids written into the SQL (no limit on how many)."""
    return col(column).not_in(bindparam("skip", sorted(ids), expanding=True, literal_execute=True))


async def pending(
    session: AsyncSession, model: type[Row], limit: int, exclude: Collection[int]
) -> list[Row]:
    """Up to `limit` rows still `pending`, oldest first, without the `exclude` ids."""
    query = select(model).where(col(model.status) == "pending")
    if exclude:
        query = query.where(not_in(model.id, exclude))
    result = await session.exec(query.order_by(col(model.id)).limit(limit))
    return list(result.all())
