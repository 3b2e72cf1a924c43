"""Stripe's published object fixtures (see objects/PROVENANCE.md), handed out as fresh copies."""

from __future__ import annotations

import copy
import functools
import json
from importlib import resources
from typing import Any


@functools.cache
def _load(name: str) -> dict[str, Any]:
    text = (resources.files(__package__) / "objects" / f"{name}.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def template(name: str) -> dict[str, Any]:
    """A deep copy of the fixture `objects/<name>.json`, safe to modify."""
    return copy.deepcopy(_load(name))
