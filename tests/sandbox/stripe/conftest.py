"""Fixtures for the Stripe sandbox tests: a sandbox, a real async StripeClient, a receiver."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
import stripe
from aiohttp import web

from bot.core.clock import FakeClock
from sandbox.stripe import Outcome, RetryPolicy, StripeSandbox

SECRET = "whsec_test_receiver_secret"
FAST_RETRY = RetryPolicy(
    max_attempts=4, base_delay=0.01, factor=2.0, max_delay=0.05, request_timeout=1.0
)


@dataclass
class Received:
    """One verified delivery."""

    event: dict[str, Any]
    raw: bytes
    headers: Mapping[str, str]


@dataclass
class Receiver:
    """A tiny webhook endpoint that verifies like the bot must (`construct_event`, 300 s)."""

    secret: str = SECRET
    script: list[int] = field(default_factory=list)
    hang_first: int = 0
    delay: float = 0.0
    in_flight: int = 0
    max_in_flight: int = 0
    received: list[Received] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    url: str = ""
    _runner: web.AppRunner | None = None
    _released: asyncio.Event = field(default_factory=asyncio.Event)

    async def start(self) -> None:
        """Listen on a free port."""
        app = web.Application()
        app.router.add_post("/stripe/webhook", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{port}/stripe/webhook"

    async def close(self) -> None:
        """Stop listening (hung requests are let go first)."""
        self._released.set()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.Response:
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            return await self._answer(request)
        finally:
            self.in_flight -= 1

    async def _answer(self, request: web.Request) -> web.Response:
        if self.hang_first > 0:
            self.hang_first -= 1
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._released.wait(), 5)
        await asyncio.sleep(self.delay)
        raw = await request.read()
        try:
            stripe.Webhook.construct_event(
                raw, request.headers.get("Stripe-Signature"), self.secret
            )
        except (stripe.SignatureVerificationError, ValueError) as error:
            self.rejected.append(str(error))
            return web.Response(status=400, text=str(error))
        status = self.script.pop(0) if self.script else 200
        if status < 300:
            self.received.append(Received(json.loads(raw), raw, dict(request.headers)))
        return web.Response(status=status, text="ok" if status < 300 else "boom")

    @property
    def types(self) -> list[str]:
        """Types of the events accepted so far, in arrival order."""
        return [item.event["type"] for item in self.received]


@pytest.fixture
def clock() -> FakeClock:
    """The sandbox's clock, stopped at a Monday morning."""
    return FakeClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))


@pytest.fixture
async def stripe_sb(clock: FakeClock) -> AsyncIterator[StripeSandbox]:
    """A started sandbox with a monthly, a yearly and a one-time price."""
    async with StripeSandbox(clock=clock, seed=7, retry=FAST_RETRY) as sandbox:
        sandbox.add_price("price_pro", unit_amount=1500, interval="month", product_name="Pro")
        sandbox.add_price(
            "price_pro_yearly", unit_amount=15000, interval="year", product_name="Pro"
        )
        sandbox.add_price(
            "price_lifetime", unit_amount=9900, interval=None, product_name="Lifetime"
        )
        yield sandbox


@pytest.fixture
async def make_receiver() -> AsyncIterator[Callable[[], Awaitable[Receiver]]]:
    """Starts extra receivers (closed after the test); register them yourself."""
    started: list[Receiver] = []

    async def make() -> Receiver:
        endpoint = Receiver()
        await endpoint.start()
        started.append(endpoint)
        return endpoint

    yield make
    for endpoint in started:
        await endpoint.close()


@pytest.fixture
async def receiver(
    stripe_sb: StripeSandbox, make_receiver: Callable[[], Awaitable[Receiver]]
) -> Receiver:
    """A verifying endpoint registered with the sandbox."""
    endpoint = await make_receiver()
    stripe_sb.add_endpoint(endpoint.url, endpoint.secret)
    return endpoint


@pytest.fixture
async def client(stripe_sb: StripeSandbox) -> AsyncIterator[stripe.StripeClient]:
    """The real async StripeClient, pointed at the sandbox."""
    http = stripe.AIOHTTPClient()
    yield stripe.StripeClient(
        stripe_sb.api_key, base_addresses={"api": stripe_sb.api_base}, http_client=http
    )
    await http.close_async()  # type: ignore[no-untyped-call]  # stripe leaves it unannotated


def _session_params(price: str = "price_pro", **extra: Any) -> dict[str, Any]:
    """Checkout params shaped like the bot's (`/subscribe`)."""
    mode = "payment" if price == "price_lifetime" else "subscription"
    metadata = {"guild_id": "10", "user_id": "20", "tier": "pro"}
    params: dict[str, Any] = {
        "mode": mode,
        "line_items": [{"price": price, "quantity": 1}],
        "client_reference_id": "10:20",
        "metadata": metadata,
        "success_url": "https://example.com/thanks",
        "cancel_url": "https://example.com/cancel",
    }
    key = "subscription_data" if mode == "subscription" else "payment_intent_data"
    params[key] = {"metadata": metadata}
    params.update(extra)
    return params


Subscribe = Callable[..., Awaitable[Outcome]]
Params = Callable[..., dict[str, Any]]


@pytest.fixture
def checkout_params() -> Params:
    """Builds Checkout params shaped like the bot's: `checkout_params(price, **overrides)`."""
    return _session_params


@pytest.fixture
def subscribe(stripe_sb: StripeSandbox) -> Subscribe:
    """Create a Checkout Session for `price` and pay it; returns what `pay` returned."""

    async def run(
        price: str = "price_pro", *, trial_days: int | None = None, **extra: Any
    ) -> Outcome:
        session = stripe_sb.create_checkout_session(_session_params(price, **extra))
        return await stripe_sb.pay(session["id"], trial_days=trial_days)

    return run
