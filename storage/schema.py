"""Every table of the data model: `load_models()` registers them all on SQLModel.metadata."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import storage

SHARED = ("storage.interactions",)
# Objects a migration makes that no model can describe (full-text indexes: SQLite FTS5 tables
# and their shadow tables, PostgreSQL expression indexes) are named `fts_...` or `..._fts...`.
UNMODELLED_PREFIX = "fts_"
UNMODELLED_PART = "_fts"


def load_models() -> None:
    """Import the shared tables and every `storage/<feature>/models.py`."""
    for module in SHARED:
        importlib.import_module(module)
    root = Path(storage.__file__).parent
    for info in pkgutil.iter_modules([str(root)]):
        if info.ispkg and (root / info.name / "models.py").is_file():
            importlib.import_module(f"storage.{info.name}.models")


def modelled(name: str | None, type_: str, parent_names: object) -> bool:
    """Alembic's `include_name`: compare everything but the unmodelled full-text objects."""
    return not ((name or "").startswith(UNMODELLED_PREFIX) or UNMODELLED_PART in (name or ""))
