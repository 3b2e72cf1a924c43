"""Receiving webhooks: verify the signature, store the event, answer; then apply it.

The receiver answers 2xx only once the event is committed. Concurrent deliveries are
stored together in one transaction (group commit), so SQLite keeps up with bursts.
The worker applies stored events after the commit and, at start and every few seconds,
picks up events stored but not applied (a crash, another receiver process, a retry).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

import stripe

from bot.core.clock import Clock
from bot.services.billing.apply import EventApplier
from bot.services.billing.event_body import event_row
from bot.services.billing.ledger import Queued
from bot.services.billing.stripe_api import StripeRejected
from bot.services.workers import WorkerTasks
from storage.billing import queries as billing
from storage.billing.queries import EventRow
from storage.database import Database

log = logging.getLogger(__name__)

TOLERANCE_S = 300
_MAX_BATCH = 500
# Failures that applying the same payload again cannot cure: the event is set aside at once.
# Anything else (Stripe or the database unreachable) is retried, up to `max_attempts`.
_PERMANENT_ERRORS = (
    StripeRejected,
    LookupError,
    TypeError,
    AttributeError,
    ValueError,
    ArithmeticError,
    RecursionError,
)


@dataclass(frozen=True)
class Receipt:
    """The answer to one delivery: HTTP status and a short message."""

    status: int
    message: str
    event_id: str | None = None
    duplicate: bool = False


class WebhookReceiver:
    """Verifies and stores webhook deliveries; hands `on_stored` each new event to apply."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        secret: str,
        *,
        on_stored: Callable[[EventRow], None] | None = None,
    ) -> None:
        self._db = db
        self._clock = clock
        self._secret = secret
        self.on_stored = on_stored
        self._pending: list[tuple[EventRow, asyncio.Future[bool]]] = []
        self._flusher: asyncio.Task[None] | None = None
        self._quiet = asyncio.Event()
        self._quiet.set()

    async def quiet(self, at_most: float = 0.05) -> None:
        """Wait (up to `at_most` s) until no delivery waits to be stored: answers go first."""
        if not self._quiet.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._quiet.wait(), at_most)

    async def receive(self, body: bytes, signature: str | None) -> Receipt:
        """Verify, store and commit one delivery; the receipt says what to answer."""
        if not self._secret:
            log.error("a webhook arrived but STRIPE_WEBHOOK_SECRET is not set")
            return Receipt(500, "the webhook secret is not configured")
        if not signature:
            return Receipt(400, "missing Stripe-Signature header")
        try:
            # The check `stripe.Webhook.construct_event` makes, on the raw body, without
            # building a StripeObject tree we would not use (that costs ~1.4 ms an event).
            text = body.decode("utf-8")
            stripe.WebhookSignature.verify_header(text, signature, self._secret, TOLERANCE_S)
        except stripe.SignatureVerificationError as error:
            return Receipt(400, f"signature verification failed: {error.user_message or error}")
        except UnicodeDecodeError:
            return Receipt(400, "the body is not UTF-8")
        try:
            row = event_row(text, self._clock.now())
        except ValueError as error:
            return Receipt(
                400,
                f"the body is not valid JSON: {error}"
                if isinstance(error, json.JSONDecodeError)
                else str(error),
            )
        try:
            new = await self._store(row)
        except Exception:
            log.exception("could not store Stripe event %s", row.id)
            return Receipt(503, "could not store the event; please retry", row.id)
        if new and row.processed_at is None and self.on_stored is not None:
            self.on_stored(row)
        return Receipt(200, "stored" if new else "duplicate", row.id, duplicate=not new)

    async def _store(self, row: EventRow) -> bool:
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._pending.append((row, future))
        self._quiet.clear()
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush(), name="stripe-event-store")
        return await future

    async def _flush(self) -> None:
        while self._pending:
            batch, self._pending = self._pending[:_MAX_BATCH], self._pending[_MAX_BATCH:]
            try:
                async with self._db.transaction() as session:
                    new = await billing.insert_events(session, [row for row, _ in batch])
            except Exception as error:
                for _, future in batch:
                    if not future.done():
                        future.set_exception(error)
                continue
            for row, future in batch:
                if not future.done():
                    future.set_result(row.id in new)
                new.discard(row.id)  # a second copy in the same batch is a duplicate
        self._quiet.set()


class EventWorker:
    """Applies stored events: those just received, and any left unapplied."""

    def __init__(
        self,
        db: Database,
        applier: EventApplier,
        *,
        on_effects: Callable[[Queued], None],
        concurrency: int = 4,
        poll_interval: float = 2.0,
        max_backoff: float = 300.0,
        max_attempts: int = 20,
        yield_to: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self._db = db
        self.yield_to = yield_to
        self._applier = applier
        self._on_effects = on_effects
        self._concurrency = concurrency
        self._poll_interval = poll_interval
        self._max_backoff = max_backoff
        self._max_attempts = max_attempts
        self._queue: asyncio.Queue[str] = asyncio.Queue()
        self._known: set[str] = set()
        self._rows: dict[str, tuple[EventRow, float]] = {}  # handed over, with arrival time
        self._backoff: dict[str, asyncio.TimerHandle] = {}
        self._failures: dict[str, int] = {}
        self._tasks = WorkerTasks(db)
        self._scan_now = asyncio.Event()

    @property
    def running(self) -> bool:
        """True between start and stop."""
        return self._tasks.running

    def notify(self, event_ids: Iterable[str]) -> None:
        """New events were committed: apply them soon."""
        for event_id in event_ids:
            self._enqueue(event_id)

    def offer(self, row: EventRow) -> None:
        """A new event was committed: apply it soon, without reading it back."""
        if row.id not in self._known and row.id not in self._backoff:
            self._rows[row.id] = (row, asyncio.get_running_loop().time())
        self._enqueue(row.id)

    def _enqueue(self, event_id: str) -> None:
        if event_id in self._known or event_id in self._backoff:
            return
        self._known.add(event_id)
        self._queue.put_nowait(event_id)

    async def start(self) -> None:
        """Pick up unapplied events and start applying."""
        if self._tasks.running:
            return
        for i in range(self._concurrency):
            self._tasks.spawn(self._work(), name=f"stripe-events-{i}")
        self._tasks.spawn(self._poll(), name="stripe-events-poll")

    async def stop(self) -> None:
        """Stop applying between events (those in hand are finished); unapplied events
        stay stored for the next start."""
        await self._tasks.stop()
        for handle in self._backoff.values():
            handle.cancel()
        self._backoff.clear()
        self._known.clear()
        self._rows.clear()
        self._queue = asyncio.Queue()

    async def scan(self) -> int:
        """Queue stored events that are not applied yet; how many were queued."""
        async with self._db.read() as session:
            ids = await billing.unprocessed_event_ids(session, limit=1000, exclude=self._backoff)
        fresh = [event_id for event_id in ids if event_id not in self._known]
        self.notify(fresh)
        return len(fresh)

    async def idle(self) -> None:
        """Wait until everything queued has been applied (retries included)."""
        while True:
            await self._queue.join()
            if not self._backoff and self._queue.empty():
                return
            await asyncio.sleep(0.01)

    async def _poll(self) -> None:
        while not self._tasks.stopping:
            with self._tasks.busy():
                try:
                    await self.scan()
                except Exception:
                    log.exception("scanning for unapplied Stripe events failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._scan_now.wait(), self._poll_interval)
            self._scan_now.clear()

    async def _work(self) -> None:
        while not self._tasks.stopping:
            event_id = await self._queue.get()
            with self._tasks.busy():
                await self._apply(event_id)

    async def _apply(self, event_id: str) -> None:
        try:
            if self.yield_to is not None:
                await self.yield_to()
            row, arrived = self._rows.pop(event_id, (None, None))
            result = await self._applier.apply(event_id, row, arrived)
            self._failures.pop(event_id, None)
            if result.effects.any:
                self._on_effects(result.effects)
        except Exception as error:
            await self._failed(event_id, error)
        finally:
            self._known.discard(event_id)
            self._queue.task_done()

    async def _failed(self, event_id: str, error: Exception) -> None:
        failures = self._failures.get(event_id, 0) + 1
        self._failures[event_id] = failures
        permanent = isinstance(error, _PERMANENT_ERRORS)
        if permanent or failures >= self._max_attempts:
            log.warning(
                "applying Stripe event %s failed (attempt %d), setting it aside: %r",
                event_id,
                failures,
                error,
                exc_info=failures == 1,
            )
            why = "cannot be applied" if permanent else f"failed {failures} times"
            if await self._set_aside(event_id, f"{why}: {error!r}"):
                return
        delay = min(self._max_backoff, 0.2 * 2 ** (failures - 1))
        log.warning(
            "applying Stripe event %s failed (attempt %d, retry in %.1fs): %r",
            event_id,
            failures,
            delay,
            error,
            exc_info=failures == 1,
        )
        try:
            async with self._db.transaction() as session:
                await billing.record_event_failure(session, event_id, repr(error))
        except Exception:
            log.exception("could not record the failure of event %s", event_id)

        def retry() -> None:
            self._backoff.pop(event_id, None)
            self._enqueue(event_id)

        self._backoff[event_id] = asyncio.get_running_loop().call_later(delay, retry)

    async def _set_aside(self, event_id: str, reason: str) -> bool:
        """Mark the event set aside; False when even that failed (it is retried instead)."""
        try:
            result = await self._applier.set_aside(event_id, reason)
        except Exception:
            log.exception("could not set Stripe event %s aside", event_id)
            return False
        self._failures.pop(event_id, None)
        if result.effects.any:
            self._on_effects(result.effects)
        return True
