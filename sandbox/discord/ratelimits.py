"""Discord's REST rate limits (developers/topics/rate-limits), emulated.

- Per-route buckets: each route has a limit per window; routes naming the same bucket share
  it, and every bucket is counted apart per top-level resource (channel_id, guild_id,
  webhook_id + token), as on Discord. Every answer carries `X-RateLimit-Limit/-Remaining/
  -Reset/-Reset-After/-Bucket`.
- The global limit: 50 requests a second per bot, interaction endpoints excepted.
- Over a limit: 429 with `message`, `retry_after` (float seconds) and `global` in the body,
  `Retry-After`, `X-RateLimit-Scope` (user/global/shared), and `X-RateLimit-Global` when global.

Windows are fixed: one opens with the first request after the previous one closed, and the
bucket is full again when it closes. `speed` makes the limits' clock run faster (10: every
window and `retry_after` is 10 times shorter) so that tests of bursts stay quick.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

USER, GLOBAL, SHARED = "user", "global", "shared"
MAJOR_PARAMETERS = (
    "channel_id",
    "guild_id",
    "webhook_id",
    "application_id",
    "interaction_id",
    "interaction_token",
)
# Interaction endpoints are not bound to the bot's global rate limit.
GLOBAL_EXEMPT_PREFIXES = ("/interactions/", "/webhooks/")
MEMBER_ROLE = "/guilds/{guild_id}/members/{user_id}/roles/{role_id}"
MESSAGE = "/channels/{channel_id}/messages/{message_id}"
INTERACTION_WEBHOOK = "/webhooks/{application_id}/{interaction_token}"


@dataclass(frozen=True)
class RouteLimit:
    """`limit` requests per `per` seconds; routes with the same `bucket` share one."""

    limit: int
    per: float
    bucket: str
    scope: str = USER  # SHARED: a per-resource limit every user shares (Discord says so)


def _route_limits() -> dict[str, RouteLimit]:
    roles = RouteLimit(10, 10.0, "member-roles")
    followups = RouteLimit(5, 2.0, "interaction-webhook-execute")
    response = RouteLimit(5, 2.0, "interaction-webhook-messages")
    limits = {
        f"PUT {MEMBER_ROLE}": roles,
        f"DELETE {MEMBER_ROLE}": roles,
        "PATCH /guilds/{guild_id}/members/{user_id}": RouteLimit(10, 10.0, "member-edit"),
        "POST /channels/{channel_id}/messages": RouteLimit(5, 5.0, "message-create"),
        f"PATCH {MESSAGE}": RouteLimit(5, 5.0, "message-edit"),
        f"DELETE {MESSAGE}": RouteLimit(5, 1.0, "message-delete"),
        f"PUT {MESSAGE}/reactions/{{emoji}}/@me": RouteLimit(1, 0.25, "reaction-add"),
        "POST /channels/{channel_id}/typing": RouteLimit(5, 5.0, "typing"),
        f"POST {INTERACTION_WEBHOOK}": followups,
    }
    for method in ("GET", "PATCH", "DELETE"):
        for target in ("@original", "{message_id}"):
            limits[f"{method} {INTERACTION_WEBHOOK}/messages/{target}"] = response
    return limits


# Close to what Discord's headers show for these routes (they change; bots must read headers).
DEFAULT_ROUTE_LIMITS: Mapping[str, RouteLimit] = _route_limits()
# Any other route: its own bucket of 50 a second (the global limit is what bites there).
DEFAULT_OTHER = RouteLimit(50, 1.0, "")
GLOBAL_LIMIT, GLOBAL_PER = 50, 1.0


@dataclass(frozen=True)
class Throttle:
    """One request the emulation answered with 429."""

    route: str
    scope: str
    bucket: str
    retry_after: float
    at: float


@dataclass
class Admission:
    """The verdict on one request: the headers to send, and the 429 body when refused."""

    headers: dict[str, str]
    refused: dict[str, object] | None = None
    scope: str | None = None


@dataclass
class _Window:
    opened_at: float
    used: int = 0


@dataclass
class RateLimits:
    """Per-route buckets and the global limit; change them freely, per test."""

    enabled: bool = True
    speed: float = 1.0
    global_limit: int = GLOBAL_LIMIT
    global_per: float = GLOBAL_PER
    routes: dict[str, RouteLimit] = field(default_factory=lambda: dict(DEFAULT_ROUTE_LIMITS))
    other: RouteLimit = DEFAULT_OTHER
    clock: Callable[[], float] = time.monotonic
    throttled: list[Throttle] = field(default_factory=list)
    exhausted: int = 0  # answers that left a bucket empty: a client reading headers waits now
    _windows: dict[tuple[str, tuple[str, ...]], _Window] = field(default_factory=dict)
    _global: _Window | None = None

    # -- configuration ------------------------------------------------------------------

    def set(
        self,
        route: str,
        limit: int,
        per: float,
        *,
        bucket: str | None = None,
        scope: str = USER,
    ) -> RouteLimit:
        """Give a route template its own limit (or join `bucket`, shared with other routes)."""
        if limit < 1 or per <= 0:
            raise ValueError("a rate limit needs limit >= 1 and per > 0")
        chosen = RouteLimit(limit, per, bucket or f"custom {route}", scope)
        self.routes[route] = chosen
        self.forget()
        return chosen

    def forget(self) -> None:
        """Every bucket full again, now."""
        self._windows.clear()
        self._global = None

    def limit_of(self, route: str) -> RouteLimit:
        """The limit a route template is under."""
        found = self.routes.get(route)
        if found is not None:
            return found
        return RouteLimit(self.other.limit, self.other.per, f"route {route}", self.other.scope)

    def bucket_hash(self, route: str) -> str:
        """The opaque `X-RateLimit-Bucket` of a route (the same for routes sharing a bucket)."""
        return hashlib.sha1(self.limit_of(route).bucket.encode()).hexdigest()[:32]

    def count(self, scope: str | None = None) -> int:
        """How many requests got an emulated 429 (of this scope)."""
        return sum(1 for t in self.throttled if scope is None or t.scope == scope)

    # -- the verdict on one request -------------------------------------------------------

    def admit(self, route: str, params: Mapping[str, str]) -> Admission:
        """Count a request to `route` (a template) with these path parameters."""
        if not self.enabled:
            return Admission({})
        now = self.clock()
        counts_globally = not route.split(" ", 1)[1].startswith(GLOBAL_EXEMPT_PREFIXES)
        if counts_globally:
            refused = self._check_global(route, now)
            if refused is not None:
                return refused
        limit = self.limit_of(route)
        major = tuple(params[name] for name in MAJOR_PARAMETERS if name in params)
        key = (limit.bucket, major)
        window = self._windows.get(key)
        if window is None or now >= window.opened_at + limit.per / self.speed:
            window = _Window(now)
            self._windows[key] = window
            self._prune(now)
        reset_after = window.opened_at + limit.per / self.speed - now
        headers = {
            "X-RateLimit-Limit": str(limit.limit),
            "X-RateLimit-Bucket": self.bucket_hash(route),
            "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
            "X-RateLimit-Reset-After": _seconds(reset_after),
        }
        if window.used >= limit.limit:
            headers["X-RateLimit-Remaining"] = "0"
            return self._refuse(route, limit.scope, limit.bucket, reset_after, headers, now)
        window.used += 1
        if counts_globally and self._global is not None:
            self._global.used += 1
        headers["X-RateLimit-Remaining"] = str(limit.limit - window.used)
        if window.used == limit.limit:
            self.exhausted += 1
        return Admission(headers)

    def _check_global(self, route: str, now: float) -> Admission | None:
        closes_at = self._global.opened_at + self.global_per / self.speed if self._global else now
        if self._global is None or now >= closes_at:
            self._global = _Window(now)
            closes_at = now + self.global_per / self.speed
        if self._global.used < self.global_limit:
            return None
        retry_after = closes_at - now
        headers = {"X-RateLimit-Global": "true"}
        return self._refuse(route, GLOBAL, "global", retry_after, headers, now)

    def _refuse(
        self,
        route: str,
        scope: str,
        bucket: str,
        retry_after: float,
        headers: dict[str, str],
        now: float,
    ) -> Admission:
        self.throttled.append(Throttle(route, scope, bucket, retry_after, now))
        body: dict[str, object] = {
            "message": "You are being rate limited.",
            "retry_after": float(_seconds(retry_after)),
            "global": scope == GLOBAL,
        }
        headers = {
            **headers,
            "Retry-After": str(max(1, math.ceil(retry_after))),
            "X-RateLimit-Scope": scope,
            "Via": "1.1 google",  # discord.py takes a 429 without it for a Cloudflare ban
        }
        return Admission(headers, body, scope)

    def _prune(self, now: float) -> None:
        if len(self._windows) > 4096:  # closed windows: forgetting them changes nothing
            longest = max([r.per for r in self.routes.values()] + [self.other.per]) / self.speed
            self._windows = {k: w for k, w in self._windows.items() if w.opened_at + longest > now}


def _seconds(value: float) -> str:
    """Seconds with millisecond precision, rounded up (never earlier than the real reset)."""
    return f"{max(0.001, math.ceil(round(value * 1000, 6)) / 1000):.3f}"
