"""Field helpers so every model declares ids and times the same way."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

from storage.types import RowId, Snowflake, UTCDateTime

# Named constraints, so later migrations can alter them on SQLite and PostgreSQL alike.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def row_id() -> Any:
    """An autoincrement surrogate primary key."""
    return Field(default=None, primary_key=True, sa_type=RowId)


def snowflake(
    *, index: bool = False, nullable: bool = False, primary_key: bool = False, default: Any = ...
) -> Any:
    """A 64-bit Discord id column."""
    if nullable and default is ...:
        default = None
    return Field(
        default=default,
        index=index,
        nullable=nullable,
        primary_key=primary_key,
        sa_type=Snowflake,
        sa_column_kwargs={"autoincrement": False} if primary_key else {},
    )


def utc_time(*, nullable: bool = False, index: bool = False, default: Any = ...) -> Any:
    """An aware-UTC timestamp column."""
    if nullable and default is ...:
        default = None
    return Field(default=default, index=index, nullable=nullable, sa_type=UTCDateTime)


def json_column(*, default_factory: Any, nullable: bool = False) -> Any:
    """A JSON column (lists and small dicts)."""
    return Field(default_factory=default_factory, nullable=nullable, sa_type=JSON)


def optional_json() -> Any:
    """A nullable JSON column."""
    return Field(default=None, nullable=True, sa_type=JSON)
