"""Showing a person's own typed text back to them: short, and unable to format or mention.

Plain Python, so services can build their messages with it. Whatever a message says,
the reply layer (`bot/discord_limits.py`) still clips it to Discord's limits and pings
nobody; this keeps the echoed part readable and harmless.
"""

from __future__ import annotations

ECHO_LIMIT = 40
# Characters that start Discord markdown (emphasis, code, spoilers, masked links) or a
# mention, channel or emoji tag; and those that only count at the start of a line
# (quotes, headings, lists), the one place they can be in a flattened echo.
_MARKDOWN = frozenset("\\*_~`|[<")
_LINE_START = frozenset(">#-+")
_ZERO_WIDTH_SPACE = "\u200b"


def echo(text: str, limit: int = ECHO_LIMIT) -> str:
    """`text` on one line, at most `limit` characters of it (then "…"), escaped."""
    flat = "".join(" " if not char.isprintable() else char for char in text).strip()
    shown = flat if len(flat) <= limit else flat[:limit] + "…"
    escaped = []
    for index, char in enumerate(shown):
        if char in _MARKDOWN or (index == 0 and char in _LINE_START):
            escaped.append("\\" + char)
        elif char == "@":
            escaped.append("@" + _ZERO_WIDTH_SPACE)  # no @everyone, @here or <@id>
        else:
            escaped.append(char)
    return "".join(escaped)
