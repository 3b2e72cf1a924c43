"""A webhook sender that signs and retries like Stripe: concurrent, at-least-once, unordered."""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
from collections import defaultdict
from collections.abc import Coroutine, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

import aiohttp
import stripe

log = logging.getLogger(__name__)

Obj = dict[str, Any]
Order = Literal["reverse", "shuffle"] | Sequence[str]

STRIPE_HEADERS = {
    "Content-Type": "application/json; charset=utf-8",
    "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
    "Accept": "*/*; q=0.5, application/xml",
    "Cache-Control": "no-cache",
}


def sign_payload(payload: str, secret: str, *, timestamp: int | None = None) -> str:
    """A `Stripe-Signature` header for `payload`, signed as Stripe does (default: now)."""
    when = int(time.time()) if timestamp is None else timestamp
    header: str = stripe.WebhookSignature.generate_signature_header(payload, secret, when)
    return header


def serialize(event: Obj) -> str:
    """An event's JSON body as Stripe sends it (pretty-printed, UTF-8)."""
    return json.dumps(event, indent=2, ensure_ascii=False)


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff for failed deliveries (Stripe's real schedule spans three days)."""

    max_attempts: int = 6
    base_delay: float = 0.05
    factor: float = 2.0
    max_delay: float = 2.0
    request_timeout: float = 5.0

    def delay_after(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number `attempt` (1-based)."""
        return float(min(self.max_delay, self.base_delay * self.factor ** (attempt - 1)))


@dataclass(frozen=True)
class Endpoint:
    """A registered webhook endpoint and the event types it wants (`*` = all)."""

    url: str
    secret: str
    enabled_events: tuple[str, ...] = ("*",)

    def wants(self, event_type: str) -> bool:
        """Whether events of this type go to this endpoint."""
        return "*" in self.enabled_events or event_type in self.enabled_events


@dataclass(frozen=True)
class DeliveryAttempt:
    """One POST of one event to one endpoint, and what came of it."""

    event_id: str
    event_type: str
    url: str
    delivery: int
    attempt: int
    status: int | None
    error: str | None
    at: datetime

    @property
    def ok(self) -> bool:
        """True when the endpoint answered 2xx."""
        return self.status is not None and 200 <= self.status < 300


@dataclass(frozen=True)
class _Job:
    event_id: str
    event_type: str
    payload: str
    endpoint: Endpoint
    delivery: int


class WebhookSender:
    """Delivers events to endpoints: signed, retried with backoff, concurrent unless `ordered`.

    `duplicate_rate` sends that share of deliveries twice; `pause()`/`resume(order)` hold
    events back and release them in a chosen order; `drain()` waits for every delivery.
    """

    def __init__(
        self,
        *,
        retry: RetryPolicy | None = None,
        ordered: bool = False,
        duplicate_rate: float = 0.0,
        seed: int | None = None,
    ) -> None:
        self.retry = retry or RetryPolicy()
        self.ordered = ordered
        self.duplicate_rate = duplicate_rate
        self.attempts: list[DeliveryAttempt] = []
        self.gave_up: list[tuple[str, str]] = []
        self._rng = random.Random(seed)
        self._endpoints: dict[str, Endpoint] = {}
        self._events: dict[str, tuple[Obj, str]] = {}
        self._copies: defaultdict[tuple[str, str], int] = defaultdict(int)
        self._held: list[str] = []
        self._paused = False
        self._pending = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._queues: dict[str, asyncio.Queue[_Job]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        """Open the HTTP session (called by StripeSandbox on entry)."""
        self._session = aiohttp.ClientSession()

    async def close(self) -> None:
        """Stop every delivery in flight and close the HTTP session."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._session is not None:
            await self._session.close()
            self._session = None

    def add_endpoint(
        self, url: str, secret: str, *, enabled_events: Sequence[str] = ("*",)
    ) -> Endpoint:
        """Register an endpoint; its secret signs what it receives (`whsec_...`)."""
        endpoint = Endpoint(url, secret, tuple(enabled_events))
        self._endpoints[url] = endpoint
        return endpoint

    @property
    def endpoints(self) -> list[Endpoint]:
        """The registered endpoints."""
        return list(self._endpoints.values())

    def pending_for(self, event_type: str) -> int:
        """How many endpoints an event of this type goes to (`pending_webhooks`)."""
        return sum(endpoint.wants(event_type) for endpoint in self._endpoints.values())

    def enqueue(self, event: Obj) -> None:
        """Send an event to every endpoint that wants it (held while paused)."""
        self._events[event["id"]] = (event, serialize(event))
        if self._paused:
            self._held.append(event["id"])
        else:
            self._dispatch(event["id"], allow_duplicate=True)

    def redeliver(self, event_id: str) -> None:
        """Send an event again, as Stripe does when it delivers one twice."""
        if event_id not in self._events:
            raise KeyError(f"no event {event_id!r} was sent")
        self._dispatch(event_id, allow_duplicate=False)

    def pause(self) -> None:
        """Hold new events back until `resume()` (retries already running go on)."""
        self._paused = True

    def resume(self, order: Order | None = None, *, seed: int | None = None) -> list[str]:
        """Release held events: as they came, `"reverse"`, `"shuffle"`, or ids/types first.

        With `ordered=True` they also arrive in that order. Returns the event ids released.
        """
        held, self._held, self._paused = self._held, [], False
        released = self._arrange(held, order, seed)
        for event_id in released:
            self._dispatch(event_id, allow_duplicate=True)
        return released

    def release(self, *keys: str) -> list[str]:
        """Deliver only the held events with these ids or types; the rest stay held."""
        chosen = [e for e in self._held if any(k in (e, self._events[e][0]["type"]) for k in keys)]
        if not chosen:
            raise ValueError(f"no held event has id or type in {keys!r}")
        self._held = [event_id for event_id in self._held if event_id not in chosen]
        for event_id in chosen:
            self._dispatch(event_id, allow_duplicate=True)
        return chosen

    @property
    def held(self) -> list[Obj]:
        """Events waiting for `resume()`."""
        return [self._events[event_id][0] for event_id in self._held]

    def _arrange(self, held: list[str], order: Order | None, seed: int | None) -> list[str]:
        if order is None:
            return held
        if order == "reverse":
            return held[::-1]
        if order == "shuffle":
            shuffled = list(held)
            random.Random(seed).shuffle(shuffled)
            return shuffled
        first: list[str] = []
        for key in order:
            matches = [e for e in held if e not in first and key in (e, self._events[e][0]["type"])]
            if not matches:
                raise ValueError(f"no held event has id or type {key!r}")
            first.extend(matches)
        return first + [event_id for event_id in held if event_id not in first]

    def attempts_for(self, event_id: str) -> list[DeliveryAttempt]:
        """Every attempt made for one event, in order."""
        return [attempt for attempt in self.attempts if attempt.event_id == event_id]

    async def drain(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109 - public API
        """Wait until every dispatched delivery got a 2xx or gave up (held events excluded)."""
        try:
            async with asyncio.timeout(timeout):
                await self._idle.wait()
        except TimeoutError:
            raise TimeoutError(
                f"{self._pending} webhook deliveries still pending after {timeout}s"
            ) from None

    async def post_raw(
        self,
        url: str,
        body: str | bytes,
        *,
        signature: str | None,
        headers: Mapping[str, str] | None = None,
    ) -> tuple[int, str]:
        """POST one body once with Stripe's headers (and `signature`, if any); no retry."""
        sent = dict(STRIPE_HEADERS, **(headers or {}))
        if signature is not None:
            sent["Stripe-Signature"] = signature
        async with self._http().post(
            url, data=body, headers=sent, allow_redirects=False
        ) as response:
            return response.status, await response.text()

    def _dispatch(self, event_id: str, *, allow_duplicate: bool) -> None:
        event, payload = self._events[event_id]
        for endpoint in list(self._endpoints.values()):
            if not endpoint.wants(event["type"]):
                continue
            copies = 1
            if allow_duplicate and self._rng.random() < self.duplicate_rate:
                copies = 2
            for _ in range(copies):
                key = (event_id, endpoint.url)
                self._copies[key] += 1
                self._submit(_Job(event_id, event["type"], payload, endpoint, self._copies[key]))

    def _submit(self, job: _Job) -> None:
        self._pending += 1
        self._idle.clear()
        if not self.ordered:
            self._spawn(self._deliver(job))
            return
        queue = self._queues.get(job.endpoint.url)
        if queue is None:
            queue = self._queues[job.endpoint.url] = asyncio.Queue()
            self._spawn(self._worker(queue))
        queue.put_nowait(job)

    def _spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _worker(self, queue: asyncio.Queue[_Job]) -> None:
        while True:
            await self._deliver(await queue.get())

    async def _deliver(self, job: _Job) -> None:
        try:
            for attempt in range(1, self.retry.max_attempts + 1):
                if await self._attempt(job, attempt):
                    return
                if attempt < self.retry.max_attempts:
                    await asyncio.sleep(self.retry.delay_after(attempt))
            self.gave_up.append((job.event_id, job.endpoint.url))
            log.warning(
                "gave up on %s %s to %s after %d attempts",
                job.event_type,
                job.event_id,
                job.endpoint.url,
                self.retry.max_attempts,
            )
        finally:
            self._pending -= 1
            if self._pending == 0:
                self._idle.set()

    async def _attempt(self, job: _Job, attempt: int) -> bool:
        headers = dict(STRIPE_HEADERS)
        headers["Stripe-Signature"] = sign_payload(job.payload, job.endpoint.secret)
        status: int | None = None
        error: str | None = None
        timeout = aiohttp.ClientTimeout(total=self.retry.request_timeout)
        try:
            async with self._http().post(
                job.endpoint.url,
                data=job.payload.encode("utf-8"),
                headers=headers,
                timeout=timeout,
                allow_redirects=False,
            ) as response:
                status = response.status
                await response.read()
        except TimeoutError:
            error = f"timeout after {self.retry.request_timeout}s"
        except aiohttp.ClientError as exc:
            error = f"{type(exc).__name__}: {exc}"
        record = DeliveryAttempt(
            job.event_id,
            job.event_type,
            job.endpoint.url,
            job.delivery,
            attempt,
            status,
            error,
            datetime.now(UTC),
        )
        self.attempts.append(record)
        log.debug(
            "webhook %s %s attempt %d -> %s",
            job.event_type,
            job.event_id,
            attempt,
            status if status is not None else error,
        )
        return record.ok

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None:
            raise RuntimeError("the webhook sender is not started (use `async with StripeSandbox`)")
        return self._session
