"""Every table of the data model: `load_models()` registers them all on SQLModel.metadata."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import storage

SHARED = ("storage.interactions",)


def load_models() -> None:
    """Import the shared tables and every `storage/<feature>/models.py`."""
    for module in SHARED:
        importlib.import_module(module)
    root = Path(storage.__file__).parent
    for info in pkgutil.iter_modules([str(root)]):
        if info.ispkg and (root / info.name / "models.py").is_file():
            importlib.import_module(f"storage.{info.name}.models")
