"""One custom-id scheme for every button, select and modal: `lyceum:<feature>:<action>:<value>`.

The value carries the state a handler needs (an id), so components keep working after a
restart (discord.py's `DynamicItem` matches them with `pattern`).
"""

from __future__ import annotations

import re
from typing import NamedTuple

PREFIX = "lyceum"
MAX_LENGTH = 100  # Discord's limit for a component's custom_id
_PART = re.compile(r"[a-z][a-z0-9_-]*\Z")


class CustomId(NamedTuple):
    """A parsed custom id."""

    feature: str
    action: str
    value: str


class BadCustomId(ValueError):
    """A custom id this bot did not make (or made by another version)."""


def custom_id(feature: str, action: str, value: str | int = "") -> str:
    """The custom id for `feature`'s `action` on `value`."""
    for part in (feature, action):
        if not _PART.match(part):
            raise ValueError(f"feature and action are lowercase words, not {part!r}")
    made = f"{PREFIX}:{feature}:{action}:{value}"
    if len(made) > MAX_LENGTH:
        raise ValueError(f"custom id longer than {MAX_LENGTH} characters: {made[:40]}...")
    return made


def pattern(feature: str, action: str, value: str = r"(?P<value>\d+)") -> str:
    """A `DynamicItem` template matching `custom_id(feature, action, <value>)`."""
    return rf"{PREFIX}:{re.escape(feature)}:{re.escape(action)}:{value}"


def parse(raw: str) -> CustomId:
    """Split a custom id; BadCustomId when it is not ours or is malformed."""
    parts = raw.split(":", 3) if len(raw) <= MAX_LENGTH else []
    if len(parts) != 4 or parts[0] != PREFIX:
        raise BadCustomId(f"not a {PREFIX} custom id")
    _, feature, action, value = parts
    if not _PART.match(feature) or not _PART.match(action):
        raise BadCustomId("malformed custom id")
    return CustomId(feature, action, value)


def int_value(raw: str) -> int:
    """The value of a custom id as a positive 64-bit id; BadCustomId otherwise."""
    if not raw.isascii() or not raw.isdigit() or len(raw) > 20:
        raise BadCustomId("the custom id does not carry an id")
    value = int(raw)
    if not 0 < value < 2**63:
        raise BadCustomId("the custom id does not carry an id")
    return value
