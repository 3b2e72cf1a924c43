"""The webhook sender signs, delivers and retries like Stripe."""

from __future__ import annotations

import json
import socket
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import stripe

from bot.core.clock import FakeClock
from sandbox.stripe import RetryPolicy, StripeSandbox, serialize, sign_payload

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "stripe"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def test_paid_checkout_arrives_signed_and_in_order_when_ordered(
    stripe_sb: StripeSandbox, receiver: Any, subscribe: Any
) -> None:
    stripe_sb.webhooks.ordered = True

    outcome = await subscribe()
    await stripe_sb.webhooks.drain()

    assert receiver.types == outcome.types
    assert [r.event["id"] for r in receiver.received] == [e["id"] for e in outcome.events]
    assert receiver.rejected == []


async def test_deliveries_carry_stripes_headers_and_pretty_json(
    stripe_sb: StripeSandbox, receiver: Any, subscribe: Any
) -> None:
    outcome = await subscribe("price_lifetime")
    await stripe_sb.webhooks.drain()

    delivery = next(r for r in receiver.received if r.event["id"] == outcome.events[0]["id"])
    assert delivery.headers["Content-Type"] == "application/json; charset=utf-8"
    assert delivery.headers["User-Agent"] == "Stripe/1.0 (+https://stripe.com/docs/webhooks)"
    assert delivery.headers["Stripe-Signature"].startswith("t=")
    assert delivery.raw == serialize(outcome.events[0]).encode("utf-8")


async def test_signatures_use_real_time_even_when_the_clock_is_fake(
    stripe_sb: StripeSandbox, receiver: Any, subscribe: Any, clock: FakeClock
) -> None:
    clock.advance(timedelta(days=400))

    await subscribe()
    await stripe_sb.webhooks.drain()

    signed_at = int(receiver.received[0].headers["Stripe-Signature"].split(",")[0][2:])
    assert abs(signed_at - time.time()) < 60
    assert receiver.received[0].event["created"] == int(clock.now().timestamp())
    assert receiver.rejected == []


async def test_concurrent_by_default(
    stripe_sb: StripeSandbox, receiver: Any, subscribe: Any
) -> None:
    receiver.delay = 0.05

    await subscribe()
    await stripe_sb.webhooks.drain()

    assert receiver.max_in_flight > 1


async def test_server_error_is_retried_until_2xx(stripe_sb: StripeSandbox, receiver: Any) -> None:
    receiver.script = [500, 503]
    stripe_sb.add_customer(email="ada@example.com")
    session = stripe_sb.create_checkout_session(
        {"mode": "payment", "line_items": [{"price": "price_lifetime", "quantity": 1}]}
    )

    outcome = await stripe_sb.expire(session["id"])
    await stripe_sb.webhooks.drain()

    attempts = stripe_sb.webhooks.attempts_for(outcome.events[0]["id"])
    assert [(a.attempt, a.status) for a in attempts] == [(1, 500), (2, 503), (3, 200)]
    assert receiver.types == ["checkout.session.expired"]


async def test_gives_up_after_max_attempts(
    stripe_sb: StripeSandbox, receiver: Any, checkout_params: Any
) -> None:
    receiver.script = [500] * 10
    session = stripe_sb.create_checkout_session(checkout_params())

    outcome = await stripe_sb.expire(session["id"])
    await stripe_sb.webhooks.drain()

    event_id = outcome.events[0]["id"]
    assert len(stripe_sb.webhooks.attempts_for(event_id)) == 4
    assert stripe_sb.webhooks.gave_up == [(event_id, receiver.url)]


async def test_timeout_is_retried(
    stripe_sb: StripeSandbox, receiver: Any, checkout_params: Any
) -> None:
    stripe_sb.webhooks.retry = RetryPolicy(max_attempts=3, base_delay=0.01, request_timeout=0.2)
    receiver.hang_first = 1
    session = stripe_sb.create_checkout_session(checkout_params())

    outcome = await stripe_sb.expire(session["id"])
    await stripe_sb.webhooks.drain()

    attempts = stripe_sb.webhooks.attempts_for(outcome.events[0]["id"])
    assert attempts[0].status is None
    assert attempts[0].error is not None and "timeout" in attempts[0].error
    assert (attempts[1].attempt, attempts[1].status) == (2, 200)


async def test_connection_refused_is_retried_and_recorded(
    stripe_sb: StripeSandbox, checkout_params: Any
) -> None:
    url = f"http://127.0.0.1:{free_port()}/stripe/webhook"
    stripe_sb.add_endpoint(url, "whsec_nobody_home")
    session = stripe_sb.create_checkout_session(checkout_params())

    outcome = await stripe_sb.expire(session["id"])
    await stripe_sb.webhooks.drain()

    attempts = stripe_sb.webhooks.attempts_for(outcome.events[0]["id"])
    assert [a.attempt for a in attempts] == [1, 2, 3, 4]
    assert all(a.status is None and a.error for a in attempts)
    assert stripe_sb.webhooks.gave_up == [(outcome.events[0]["id"], url)]


async def test_drain_times_out_while_a_retry_waits(
    stripe_sb: StripeSandbox, receiver: Any, checkout_params: Any
) -> None:
    stripe_sb.webhooks.retry = RetryPolicy(base_delay=30.0, max_delay=30.0)
    receiver.script = [500]
    session = stripe_sb.create_checkout_session(checkout_params())
    await stripe_sb.expire(session["id"])

    with pytest.raises(TimeoutError, match="1 webhook deliveries still pending"):
        await stripe_sb.webhooks.drain(timeout=0.3)


async def test_redelivered_event_is_the_same_event(
    stripe_sb: StripeSandbox, receiver: Any, checkout_params: Any
) -> None:
    session = stripe_sb.create_checkout_session(checkout_params())
    event_id = (await stripe_sb.expire(session["id"])).events[0]["id"]
    await stripe_sb.webhooks.drain()

    stripe_sb.webhooks.redeliver(event_id)
    await stripe_sb.webhooks.drain()

    first, second = receiver.received
    assert first.event["id"] == second.event["id"] == event_id
    assert first.raw == second.raw
    assert [a.delivery for a in stripe_sb.webhooks.attempts_for(event_id)] == [1, 2]


async def test_duplicate_rate_one_delivers_every_event_twice(
    stripe_sb: StripeSandbox, receiver: Any, subscribe: Any
) -> None:
    stripe_sb.webhooks.duplicate_rate = 1.0

    outcome = await subscribe()
    await stripe_sb.webhooks.drain()

    assert sorted(receiver.types) == sorted(outcome.types * 2)


async def test_pause_holds_events_until_resume(
    stripe_sb: StripeSandbox, receiver: Any, subscribe: Any
) -> None:
    stripe_sb.webhooks.pause()
    outcome = await subscribe()
    await stripe_sb.webhooks.drain()
    held = [event["id"] for event in stripe_sb.webhooks.held]

    stripe_sb.webhooks.resume()
    await stripe_sb.webhooks.drain()

    assert held == [event["id"] for event in outcome.events]
    assert len(receiver.received) == len(outcome.events)


async def test_resume_releases_listed_events_first(
    stripe_sb: StripeSandbox, receiver: Any, subscribe: Any
) -> None:
    stripe_sb.webhooks.ordered = True
    stripe_sb.webhooks.pause()
    outcome = await subscribe()

    stripe_sb.webhooks.resume(["checkout.session.completed", "customer.subscription.updated"])
    await stripe_sb.webhooks.drain()

    rest = [
        t
        for t in outcome.types
        if t not in ("checkout.session.completed", "customer.subscription.updated")
    ]
    assert receiver.types == ["checkout.session.completed", "customer.subscription.updated", *rest]


async def test_resume_reverse_delivers_newest_first(
    stripe_sb: StripeSandbox, receiver: Any, subscribe: Any
) -> None:
    stripe_sb.webhooks.ordered = True
    stripe_sb.webhooks.pause()
    outcome = await subscribe()

    stripe_sb.webhooks.resume("reverse")
    await stripe_sb.webhooks.drain()

    assert receiver.types == outcome.types[::-1]


async def test_resume_shuffle_is_reproducible_with_a_seed(
    stripe_sb: StripeSandbox, subscribe: Any
) -> None:
    stripe_sb.webhooks.pause()
    outcome = await subscribe()
    ids = [event["id"] for event in outcome.events]

    released = stripe_sb.webhooks.resume("shuffle", seed=3)

    assert sorted(released) == sorted(ids)
    assert released != ids


async def test_endpoint_gets_only_its_enabled_events(
    stripe_sb: StripeSandbox, subscribe: Any, make_receiver: Any
) -> None:
    invoices = await make_receiver()
    stripe_sb.add_endpoint(invoices.url, invoices.secret, enabled_events=["invoice.paid"])

    outcome = await subscribe()
    await stripe_sb.webhooks.drain()

    assert invoices.types == ["invoice.paid"]
    paid = next(e for e in outcome.events if e["type"] == "invoice.paid")
    assert paid["pending_webhooks"] == 1


async def test_tampered_body_fails_verification(stripe_sb: StripeSandbox, receiver: Any) -> None:
    body = serialize({"id": "evt_1", "object": "event", "type": "invoice.paid", "data": {}})
    header = sign_payload(body, receiver.secret)

    status, _ = await stripe_sb.webhooks.post_raw(
        receiver.url, body.replace("paid", "void"), signature=header
    )

    assert status == 400
    assert "No signatures found matching" in receiver.rejected[0]


@pytest.mark.parametrize(
    ("secret", "age", "send_header", "message"),
    [
        ("whsec_someone_else", 0, True, "No signatures found matching"),
        (None, 301, True, "Timestamp outside the tolerance zone"),
        (None, 0, False, "No Stripe-Signature header value was provided"),
    ],
    ids=["wrong-secret", "stale-timestamp", "missing-header"],
)
async def test_bad_signatures_are_rejected(
    stripe_sb: StripeSandbox,
    receiver: Any,
    secret: str | None,
    age: int,
    send_header: bool,
    message: str,
) -> None:
    body = serialize({"id": "evt_1", "object": "event", "type": "invoice.paid", "data": {}})
    header = sign_payload(body, secret or receiver.secret, timestamp=int(time.time()) - age)

    status, _ = await stripe_sb.webhooks.post_raw(
        receiver.url, body, signature=header if send_header else None
    )

    assert status == 400
    assert message in receiver.rejected[0]


async def test_a_correctly_signed_raw_post_is_accepted(
    stripe_sb: StripeSandbox, receiver: Any
) -> None:
    body = serialize({"id": "evt_1", "object": "event", "type": "invoice.paid", "data": {}})

    status, _ = await stripe_sb.webhooks.post_raw(
        receiver.url, body, signature=sign_payload(body, receiver.secret)
    )

    assert status == 200


def test_sign_payload_matches_stripe_pythons_test_vector() -> None:
    inputs = json.loads((FIXTURES / "stripe_python_webhook_test_inputs.json").read_text("utf-8"))
    vector = inputs["derived_test_vector_NOT_FROM_STRIPE"]

    header = sign_payload(
        inputs["DUMMY_WEBHOOK_PAYLOAD"],
        inputs["DUMMY_WEBHOOK_SECRET"],
        timestamp=vector["timestamp"],
    )

    assert header == vector["Stripe-Signature_header"]
    assert stripe.WebhookSignature.verify_header(
        inputs["DUMMY_WEBHOOK_PAYLOAD"], header, inputs["DUMMY_WEBHOOK_SECRET"]
    )
