"""Objects and events have the current API's shapes (stripe-python 16, `dahlia`+)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import stripe

from bot.core.clock import FakeClock
from sandbox.stripe import StripeSandbox

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "stripe"


def fixture_keys(name: str) -> set[str]:
    return set(json.loads((FIXTURES / f"{name}.json").read_text("utf-8")))


def ts(moment: datetime) -> int:
    return int(moment.timestamp())


async def test_subscription_period_lives_on_items(
    subscribe: Any, stripe_sb: StripeSandbox, clock: FakeClock
) -> None:
    subscription = stripe_sb.get((await subscribe()).subscription_id)

    item = subscription["items"]["data"][0]
    assert "current_period_end" not in subscription
    assert "current_period_start" not in subscription
    assert item["current_period_start"] == ts(clock.now())
    assert item["current_period_end"] == ts(datetime(2026, 4, 2, 9, 0, tzinfo=UTC))
    assert (subscription["status"], item["price"]["id"]) == ("active", "price_pro")


async def test_yearly_price_gives_a_one_year_period(
    subscribe: Any, stripe_sb: StripeSandbox
) -> None:
    subscription = stripe_sb.get((await subscribe("price_pro_yearly")).subscription_id)

    assert subscription["items"]["data"][0]["current_period_end"] == ts(
        datetime(2027, 3, 2, 9, 0, tzinfo=UTC)
    )


async def test_subscription_metadata_comes_from_subscription_data_only(
    subscribe: Any, stripe_sb: StripeSandbox
) -> None:
    outcome = await subscribe(
        metadata={"session_only": "yes"}, subscription_data={"metadata": {"tier": "pro"}}
    )

    assert stripe_sb.get(outcome.subscription_id)["metadata"] == {"tier": "pro"}
    assert stripe_sb.get(outcome.session_id)["metadata"] == {"session_only": "yes"}


async def test_invoice_links_its_subscription_through_parent(
    subscribe: Any, stripe_sb: StripeSandbox
) -> None:
    outcome = await subscribe()
    invoice = stripe_sb.get(outcome.invoice_id)
    subscription = stripe_sb.get(outcome.subscription_id)

    item = subscription["items"]["data"][0]
    line = invoice["lines"]["data"][0]
    assert "subscription" not in invoice
    assert invoice["parent"]["type"] == "subscription_details"
    assert invoice["parent"]["subscription_details"]["subscription"] == subscription["id"]
    assert invoice["parent"]["subscription_details"]["metadata"] == subscription["metadata"]
    assert line["period"] == {
        "start": item["current_period_start"],
        "end": item["current_period_end"],
    }
    assert line["parent"]["subscription_item_details"]["subscription_item"] == item["id"]
    assert subscription["latest_invoice"] == invoice["id"]


async def test_one_time_payment_copies_intent_metadata_and_charge_has_no_invoice(
    subscribe: Any, stripe_sb: StripeSandbox
) -> None:
    outcome = await subscribe("price_lifetime")
    intent = stripe_sb.get(outcome.payment_intent_id)
    charge = stripe_sb.get(outcome.charge_id)

    assert intent["metadata"] == {"guild_id": "10", "user_id": "20", "tier": "pro"}
    assert (intent["status"], intent["amount_received"], intent["latest_charge"]) == (
        "succeeded",
        9900,
        charge["id"],
    )
    assert "invoice" not in charge
    assert (charge["payment_intent"], charge["amount"], charge["paid"]) == (
        intent["id"],
        9900,
        True,
    )


async def test_completed_subscription_session_links_its_objects(
    subscribe: Any, stripe_sb: StripeSandbox
) -> None:
    outcome = await subscribe()
    session = stripe_sb.get(outcome.session_id)

    assert (session["status"], session["payment_status"]) == ("complete", "paid")
    assert session["customer"] == outcome.customer_id
    assert session["subscription"] == outcome.subscription_id
    assert session["invoice"] == outcome.invoice_id
    assert session["customer_details"]["email"] == "member@example.com"
    assert session["url"] is None


@pytest.mark.parametrize(
    ("fixture", "kind", "dropped"),
    [
        ("subscription", "subscription_id", set()),
        ("invoice", "invoice_id", {"subscription"}),
        ("charge", "charge_id", set()),
        ("checkout.session", "session_id", set()),
    ],
)
async def test_objects_keep_every_field_of_stripes_fixture(
    subscribe: Any, stripe_sb: StripeSandbox, fixture: str, kind: str, dropped: set[str]
) -> None:
    obj = stripe_sb.get(getattr(await subscribe(), kind))

    assert fixture_keys(fixture) - dropped <= set(obj)
    assert not dropped & set(obj)


async def test_event_envelope_has_stripes_fields(
    subscribe: Any, stripe_sb: StripeSandbox, clock: FakeClock, receiver: Any
) -> None:
    event = (await subscribe()).events[0]

    assert event["id"].startswith("evt_1")
    assert (event["object"], event["livemode"], event["pending_webhooks"]) == ("event", False, 1)
    assert event["api_version"] == stripe.api_version
    assert event["created"] == ts(clock.now())
    assert event["request"] == {"id": None, "idempotency_key": None}
    assert event["type"] == "customer.created"
    assert stripe.Event.construct_from(event, "sk_test").data.object.object == "customer"


async def test_updated_event_carries_previous_attributes(
    subscribe: Any, stripe_sb: StripeSandbox
) -> None:
    outcome = await subscribe()

    updated = next(e for e in outcome.events if e["type"] == "customer.subscription.updated")
    assert updated["data"]["previous_attributes"] == {"status": "incomplete"}
    assert updated["data"]["object"]["status"] == "active"


async def test_ids_look_like_stripes(subscribe: Any) -> None:
    outcome = await subscribe()

    assert outcome.session_id is not None and outcome.session_id.startswith("cs_test_a1")
    assert outcome.customer_id is not None and outcome.customer_id.startswith("cus_")
    assert outcome.subscription_id is not None and outcome.subscription_id.startswith("sub_1")
    assert outcome.invoice_id is not None and outcome.invoice_id.startswith("in_1")
    assert outcome.charge_id is not None and outcome.charge_id.startswith("ch_3")
    assert outcome.payment_intent_id is not None and outcome.payment_intent_id.startswith("pi_3")
