"""POST /stripe/webhook: signatures, storing before answering, duplicates."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from bot.core.clock import FakeClock
from bot.services.billing.apply import EventApplier
from bot.services.billing.webhooks import EventWorker, WebhookReceiver
from bot.stripe_api import StripeHttpApi
from sandbox.stripe import sign_payload
from storage.billing import queries
from storage.database import Database
from tests.services.billing.support import GUILD, SECRET, Billing, settings_for

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "stripe"


def event(obj: str = "subscription", event_type: str = "customer.subscription.updated",
          event_id: str = "evt_test_1", **changes: Any) -> str:  # fmt: skip
    """A Stripe event around a published object fixture (the envelope is ours)."""
    data = json.loads((FIXTURES / f"{obj}.json").read_text())
    data.update(changes)
    return json.dumps({
        "id": event_id, "object": "event", "api_version": "2026-06-24.dahlia",
        "created": int(time.time()), "data": {"object": data}, "livemode": False,
        "pending_webhooks": 1, "request": {"id": None, "idempotency_key": None},
        "type": event_type,
    })  # fmt: skip


async def post(billing: Billing, body: str | bytes, signature: str | None) -> tuple[int, str]:
    return await billing.stripe.webhooks.post_raw(
        f"{billing.url}/stripe/webhook", body, signature=signature
    )


async def stored(db: Database) -> int:
    async with db.read() as session:
        return await queries.count_events(session)


async def test_signed_event_is_stored_before_the_answer(billing: Billing) -> None:
    body = event()
    status, _ = await post(billing, body, sign_payload(body, SECRET))
    assert status == 200
    assert await stored(billing.db) == 1


async def test_tampered_body_is_refused_and_nothing_stored(billing: Billing) -> None:
    body = event()
    signature = sign_payload(body, SECRET)
    status, text = await post(billing, body.replace("active", "canceled"), signature)
    assert status == 400 and "signature" in text
    assert await stored(billing.db) == 0


async def test_wrong_secret_is_refused(billing: Billing) -> None:
    body = event()
    status, _ = await post(billing, body, sign_payload(body, "whsec_someone_else"))
    assert status == 400
    assert await stored(billing.db) == 0


async def test_stale_signature_is_refused(billing: Billing) -> None:
    body = event()
    status, text = await post(
        billing, body, sign_payload(body, SECRET, timestamp=int(time.time()) - 301)
    )
    assert status == 400 and "tolerance" in text
    assert await stored(billing.db) == 0


async def test_missing_signature_is_refused(billing: Billing) -> None:
    status, text = await post(billing, event(), None)
    assert status == 400 and "Stripe-Signature" in text
    assert await stored(billing.db) == 0


async def test_signed_body_that_is_not_json_is_refused(billing: Billing) -> None:
    body = "this is not json"
    status, text = await post(billing, body, sign_payload(body, SECRET))
    assert status == 400 and "JSON" in text
    assert await stored(billing.db) == 0


async def test_signed_json_that_is_not_an_event_is_refused(billing: Billing) -> None:
    body = json.dumps({"hello": "world"})
    status, text = await post(billing, body, sign_payload(body, SECRET))
    assert status == 400 and "not a Stripe event" in text
    assert await stored(billing.db) == 0


async def test_redelivery_answers_200_and_stores_one_row(billing: Billing) -> None:
    body = event()
    answers = [await post(billing, body, sign_payload(body, SECRET)) for _ in range(3)]
    assert [status for status, _ in answers] == [200, 200, 200]
    assert "duplicate" in answers[-1][1]
    assert await stored(billing.db) == 1


async def test_concurrent_duplicates_end_as_one_row(billing: Billing) -> None:
    body = event()
    answers = await asyncio.gather(
        *(post(billing, body, sign_payload(body, SECRET)) for _ in range(10))
    )
    assert {status for status, _ in answers} == {200}
    assert sum("stored" in text for _, text in answers) == 1
    assert await stored(billing.db) == 1


async def test_unknown_event_type_is_stored_and_ignored(billing: Billing) -> None:
    body = event("charge", "charge.captured")
    status, _ = await post(billing, body, sign_payload(body, SECRET))
    assert status == 200
    await asyncio.wait_for(billing.service.events.idle(), 5)
    async with billing.db.read() as session:
        row = await queries.get_event(session, "evt_test_1")
        assert row is not None and row.processed_at is not None
        assert await queries.entitlements_of_guild(session, GUILD) == []


async def test_events_stored_while_no_worker_ran_are_applied_at_start(
    db: Database, clock: FakeClock, billing: Billing
) -> None:
    # Another receiver process (or this one before a crash) stored events nobody applied.
    alone = WebhookReceiver(db, clock, SECRET)
    billing.stripe.webhooks.pause()
    link = await billing.service.checkout_link(GUILD, 5, "pro")
    await billing.stripe.pay(link.url.rsplit("/", 1)[-1])
    for held in billing.stripe.webhooks.held:
        body = json.dumps(held)
        assert (await alone.receive(body.encode(), sign_payload(body, SECRET))).status == 200
    settings = settings_for(billing.stripe)
    stripe_api = StripeHttpApi(settings.stripe)
    applier = EventApplier(db, stripe_api, clock, grace=timedelta(days=3))
    worker = EventWorker(db, applier, on_effects=lambda _: None)
    try:
        await worker.start()
        await worker.scan()
        await asyncio.wait_for(worker.idle(), 5)
    finally:
        await worker.stop()
        await stripe_api.close()
    async with db.read() as session:
        assert await queries.count_events(session, unprocessed=True) == 0
        row = await queries.entitlement(session, GUILD, 5, "pro", "stripe")
    assert row is not None and row.active


async def test_receiver_without_a_secret_answers_500(db: Database, clock: FakeClock) -> None:
    receipt = await WebhookReceiver(db, clock, "").receive(b"{}", "t=1,v1=x")
    assert receipt.status == 500
