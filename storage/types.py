"""Column types shared by every table."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, Integer
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

# Discord snowflakes need 64 bits; SQLite only aliases the rowid for "INTEGER".
Snowflake = BigInteger().with_variant(Integer(), "sqlite")
RowId = BigInteger().with_variant(Integer(), "sqlite")

SQLITE_DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S.%f"


class NaiveDatetimeError(ValueError):
    """A naive datetime reached the database layer."""


def sqlite_datetime_text(value: datetime) -> str:
    """Render an aware datetime as SQLite stores `UTCDateTime` values (UTC, fixed width)."""
    if value.tzinfo is None:
        raise NaiveDatetimeError(f"naive datetime {value!r}: use an aware UTC datetime")
    return value.astimezone(UTC).strftime(SQLITE_DATETIME_FORMAT)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that accepts only aware datetimes and always returns aware UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected a datetime, got {type(value).__name__}")
        if value.tzinfo is None:
            raise NaiveDatetimeError(f"naive datetime {value!r}: use an aware UTC datetime")
        utc = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return utc.replace(tzinfo=None)
        return utc

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        moment = datetime.fromisoformat(value) if isinstance(value, str) else value
        if not isinstance(moment, datetime):
            raise TypeError(f"expected a datetime from the database, got {type(moment).__name__}")
        if moment.tzinfo is None:
            return moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC)
