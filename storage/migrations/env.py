"""Alembic environment: runs on the connection `storage.migrate` hands it."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

from storage.schema import load_models, modelled

load_models()

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError(
        "run migrations through `lyceum migrate` (storage.migrate), not bare alembic"
    )

context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    include_name=modelled,
)
with context.begin_transaction():
    context.run_migrations()
