"""Fault injection: 5xx, 429 and slow answers on chosen routes."""

from __future__ import annotations

import math
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

ANY_ROUTE = "*"


@dataclass
class Fault:
    """What to do to the next `times` calls of a route (None: every call)."""

    route: str
    times: int | None
    status: int | None = None
    retry_after: float = 0.0
    is_global: bool = False
    delay: float = 0.0

    @property
    def kind(self) -> str:
        """A short label for the call log."""
        if self.status == 429:
            return f"429 retry_after={self.retry_after}"
        return f"{self.status}" if self.status else f"delay {self.delay}s"

    def body(self) -> dict[str, Any]:
        """The JSON body Discord sends with this status."""
        if self.status == 429:
            return {
                "message": "You are being rate limited.",
                "retry_after": self.retry_after,
                "global": self.is_global,
            }
        return {"message": f"{self.status}: Server Error", "code": 0}

    def headers(self) -> dict[str, str]:
        """Rate-limit headers as Discord sends them (Via marks it as not a Cloudflare ban)."""
        if self.status != 429:
            return {}
        headers = {
            "Retry-After": str(math.ceil(self.retry_after)),
            "X-RateLimit-Limit": "5",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": f"{time.time() + self.retry_after:.3f}",
            "X-RateLimit-Reset-After": f"{self.retry_after:.3f}",
            "X-RateLimit-Bucket": f"sandbox-{abs(hash(self.route)):x}",
            "X-RateLimit-Scope": "global" if self.is_global else "user",
            "Via": "1.1 google",
        }
        if self.is_global:
            headers["X-RateLimit-Global"] = "true"
        return headers


class Faults:
    """Faults keyed by route template, e.g. "PUT /guilds/{guild_id}/members/{user_id}"."""

    def __init__(self, routes: Iterable[str] = ()) -> None:
        self.routes = set(routes)
        self._faults: list[Fault] = []

    def _add(self, fault: Fault) -> Fault:
        if fault.route != ANY_ROUTE and fault.route not in self.routes:
            raise ValueError(f"unknown route template {fault.route!r}; see sandbox.routes")
        self._faults.append(fault)
        return fault

    def fail(self, route: str, status: int = 500, times: int | None = 1) -> Fault:
        """Answer the next `times` calls with a 5xx (or any error status)."""
        return self._add(Fault(route, times, status=status))

    def rate_limit(
        self,
        route: str,
        retry_after: float = 0.05,
        times: int | None = 1,
        *,
        is_global: bool = False,
    ) -> Fault:
        """Answer the next `times` calls with 429 and Discord's rate-limit body and headers."""
        return self._add(
            Fault(route, times, status=429, retry_after=retry_after, is_global=is_global)
        )

    def slow(self, route: str, seconds: float, times: int | None = None) -> Fault:
        """Delay answers on a route (every call unless `times`)."""
        return self._add(Fault(route, times, delay=seconds))

    def take(self, route: str) -> list[Fault]:
        """Faults for this call: every matching delay, then at most one error, in queued order.

        Each fault returned uses up one of its `times`; later error faults wait for later calls.
        """
        hits: list[Fault] = []
        error_taken = False
        for fault in [f for f in self._faults if f.route in (route, ANY_ROUTE)]:
            if fault.status:
                if error_taken:
                    continue
                error_taken = True
            hits.append(fault)
            self._use(fault)
        return hits

    def _use(self, fault: Fault) -> None:
        if fault.times is not None:
            fault.times -= 1
            if fault.times <= 0:
                self._faults.remove(fault)

    def clear(self) -> None:
        """Remove every fault."""
        self._faults.clear()
