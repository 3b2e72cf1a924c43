"""What the demo prints: a readable account of what happened, with timings."""

from __future__ import annotations

import textwrap
import time
from typing import Any


class Transcript:
    """Numbered sections and time-stamped lines, printed as they happen."""

    def __init__(self) -> None:
        self._started = time.perf_counter()
        self._section = 0
        self.lines: list[str] = []

    def _print(self, line: str) -> None:
        self.lines.append(line)
        print(line, flush=True)

    def title(self, text: str) -> None:
        """The demo's heading."""
        self._print(text)
        self._print("=" * len(text))

    def section(self, text: str) -> None:
        """A new numbered part of the story."""
        self._section += 1
        self._print("")
        self._print(f"{self._section}. {text}")

    def say(self, text: str) -> None:
        """One event, stamped with the seconds since the demo started."""
        elapsed = time.perf_counter() - self._started
        self._print(f"  [{elapsed:6.2f}s] {text}")

    def detail(self, text: str) -> None:
        """An indented continuation line."""
        for line in text.splitlines() or [""]:
            self._print(f"             {line}")

    def embed(self, embed: dict[str, Any]) -> None:
        """Show a Discord embed as a person would read it."""
        self._print(f"             ┌ {embed.get('title', '')}")
        if embed.get("description"):
            for line in textwrap.wrap(str(embed["description"]), 88):
                self._print(f"             │ {line}")
        for item in embed.get("fields", []):
            value = " / ".join(str(item.get("value", "")).splitlines())
            self._print(f"             │ {item.get('name')}: {value}")
        image = str((embed.get("image") or {}).get("url", ""))
        if image:
            self._print(f"             │ [picture] {image.removeprefix('attachment://')}")
        footer = (embed.get("footer") or {}).get("text")
        self._print(f"             └ {footer or ''}".rstrip())
