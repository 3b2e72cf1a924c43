"""A record of every REST call the bot made."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class Call:
    """One REST request and the sandbox's answer."""

    method: str
    path: str
    route: str
    params: dict[str, str]
    json: Any
    status: int = 0
    time: float = 0.0
    reason: str | None = None
    files: list[tuple[str, str | None, int]] = field(default_factory=list)
    fault: str | None = None
    limited: str | None = None  # scope of an emulated 429 (user/global/shared)
    error: str | None = None
    answer: Any = None  # the answer's JSON body (None when empty or not JSON)

    @property
    def known(self) -> bool:
        """False when no sandbox route matched (the bot used an endpoint the sandbox lacks)."""
        return not self.route.startswith("UNKNOWN ")


def answer_body(response: web.StreamResponse) -> Any:
    """The JSON body of an answer the sandbox built, or None."""
    raw = response.body if isinstance(response, web.Response) else None
    if not isinstance(raw, bytes) or response.content_type != "application/json" or not raw:
        return None
    return json.loads(raw)


class CallLog:
    """Every REST call in order, with small filters."""

    def __init__(self) -> None:
        self._calls: list[Call] = []

    def add(self, call: Call) -> None:
        """Record a call."""
        self._calls.append(call)

    def __iter__(self) -> Iterator[Call]:
        return iter(list(self._calls))

    def __len__(self) -> int:
        return len(self._calls)

    def __getitem__(self, index: int) -> Call:
        return self._calls[index]

    def filter(
        self,
        route: str | None = None,
        *,
        method: str | None = None,
        status: int | None = None,
        path_contains: str | None = None,
    ) -> list[Call]:
        """Calls matching every given criterion (route is a template like "GET /users/@me")."""
        return [
            c
            for c in self._calls
            if (route is None or c.route == route)
            and (method is None or c.method == method)
            and (status is None or c.status == status)
            and (path_contains is None or path_contains in c.path)
        ]

    def count(self, route: str) -> int:
        """How many calls hit this route template."""
        return len(self.filter(route))

    def last(self, route: str | None = None) -> Call:
        """The most recent call (to this route)."""
        found = self.filter(route)
        if not found:
            raise LookupError(f"no call to {route!r}")
        return found[-1]

    def unknown(self) -> list[Call]:
        """Calls to routes the sandbox does not implement."""
        return [c for c in self._calls if not c.known]

    def errors(self) -> list[Call]:
        """Calls on which the sandbox itself crashed (a sandbox bug)."""
        return [c for c in self._calls if c.error is not None]

    def clear(self) -> None:
        """Forget every recorded call."""
        self._calls.clear()
