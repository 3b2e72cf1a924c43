"""Odd but validly signed webhook bodies: a 4xx, or set aside once; never a 5xx, never retried."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.services.billing.apply import HANDLED_EVENTS, named_guild, routing_key
from bot.services.billing.objects import (
    InvalidPayload,
    invoice_subscription,
    parse_charge,
    parse_checkout,
    parse_dispute,
    parse_subscription,
)
from sandbox.stripe import sign_payload
from storage.billing import queries
from storage.database import Database
from tests.services.billing.support import GUILD, MOD_LOG, SECRET, Billing, eventually

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "stripe"


def envelope(obj: dict[str, Any], event_type: str, event_id: str = "evt_odd_1",
             created: Any = None) -> dict[str, Any]:  # fmt: skip
    """A Stripe event envelope around `obj`."""
    return {
        "id": event_id, "object": "event", "api_version": "2026-06-24.dahlia",
        "created": int(time.time()) if created is None else created,
        "data": {"object": obj}, "livemode": False, "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None}, "type": event_type,
    }  # fmt: skip


def fixture(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text())
    return data


async def post(billing: Billing, body: str) -> tuple[int, str]:
    return await billing.stripe.webhooks.post_raw(
        f"{billing.url}/stripe/webhook", body, signature=sign_payload(body, SECRET)
    )


async def stored(db: Database) -> int:
    async with db.read() as session:
        return await queries.count_events(session)


async def still_works(billing: Billing, user_id: int) -> None:
    """A real checkout paid after the odd body still grants the tier."""
    billing.discord.join(user_id)
    link = await billing.service.checkout_link(GUILD, user_id, "pro")
    await billing.stripe.pay(link.url.rsplit("/", 1)[-1])
    await eventually(lambda: 111 in billing.discord.roles_of(user_id))


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(nested(1000), id="array-1000-deep"),
        pytest.param(
            json.dumps(
                envelope({"object": "subscription"}, "customer.subscription.updated")
            ).replace(
                '{"object": "subscription"}',
                '{"object": "subscription", "x": ' + nested(5000) + "}",
            ),
            id="event-with-5000-deep-object",
        ),
        pytest.param(
            json.dumps(
                envelope(fixture("subscription"), "customer.subscription.updated", created=10**20)
            ),
            id="created-10^20",
        ),
        pytest.param(
            json.dumps(
                envelope(
                    fixture("subscription"), "customer.subscription.updated", created=-(10**20)
                )
            ),
            id="created--10^20",
        ),
        pytest.param(
            json.dumps(
                envelope(
                    fixture("subscription"), "customer.subscription.updated", event_id="evt_\ud800"
                )
            ),
            id="id-with-lone-surrogate",
        ),
        pytest.param(
            json.dumps(envelope({**fixture("charge"), "description": "\udfff"}, "charge.refunded")),
            id="object-with-lone-surrogate",
        ),
        pytest.param(
            json.dumps(envelope(fixture("charge"), "charge.refunded", event_id="evt_\x00")),
            id="id-with-nul",
        ),
        pytest.param(
            json.dumps(envelope({**fixture("charge"), "amount": float("nan")}, "charge.refunded")),
            id="nan",
        ),
    ],
)
async def test_unusable_signed_body_gets_a_4xx_and_nothing_is_stored(
    billing: Billing, body: str
) -> None:
    status, text = await post(billing, body)
    assert 400 <= status < 500, text
    assert await stored(billing.db) == 0
    await still_works(billing, 42)


async def test_depth_counts_nesting_not_brackets_inside_text(billing: Billing) -> None:
    shallow = {**fixture("charge"), "description": "[{" * 500, "metadata": {"a": [[1]] * 40}}
    status, text = await post(billing, json.dumps(envelope(shallow, "charge.captured")))
    assert status == 200, text
    deep: Any = 1
    for _ in range(65):
        deep = [deep]
    too_deep = {**fixture("charge"), "metadata": {"a": deep}}
    status, text = await post(billing, json.dumps(envelope(too_deep, "charge.captured", "evt_2")))
    assert status == 400 and "nested deeper" in text


def wrong_shapes() -> list[Any]:
    subscription, invoice = fixture("subscription"), fixture("invoice")
    items_list = {**subscription, "items": [subscription["items"]]}
    data_string = {**subscription, "items": {"object": "list", "data": "sub_item"}}
    price_string = json.loads(json.dumps(subscription))
    price_string["items"]["data"][0]["price"] = ["price_x"]
    return [
        pytest.param("customer.subscription.updated", items_list, id="items-as-list"),
        pytest.param("customer.subscription.updated", data_string, id="items.data-as-string"),
        pytest.param("customer.subscription.updated", price_string, id="price-as-list"),
        pytest.param("invoice.paid", {**invoice, "parent": "sub_123"}, id="parent-as-string"),
        pytest.param(
            "invoice.paid",
            {**invoice, "parent": {"subscription_details": [1]}},
            id="subscription_details-as-list",
        ),
        pytest.param(
            "customer.subscription.updated",
            {**subscription, "metadata": {"guild_id": str(GUILD), "user_id": "1e400"}},
            id="user-id-1e400",
        ),
        pytest.param(
            "customer.subscription.updated",
            {**subscription, "metadata": {"guild_id": 10**30, "user_id": 5}},
            id="guild-id-beyond-64-bits",
        ),
        pytest.param(
            "customer.subscription.updated",
            {**subscription, "cancel_at": 10**20},
            id="cancel_at-10^20",
        ),
        pytest.param(
            "charge.refunded", {**fixture("charge"), "amount": "lots"}, id="amount-as-string"
        ),
        pytest.param(
            "checkout.session.completed",
            {**fixture("checkout.session"), "metadata": ["guild"]},
            id="metadata-as-list",
        ),
    ]


@pytest.mark.parametrize(("event_type", "obj"), wrong_shapes())
async def test_event_of_the_wrong_shape_is_set_aside_once_with_the_reason(
    billing: Billing, event_type: str, obj: dict[str, Any]
) -> None:
    status, text = await post(billing, json.dumps(envelope(obj, event_type)))
    assert status < 300, text
    await asyncio.wait_for(billing.service.events.idle(), 5)
    async with billing.db.read() as session:
        row = await queries.get_event(session, "evt_odd_1")
    assert row is not None and row.processed_at is not None
    assert row.last_error and row.last_error.startswith("set aside:")
    assert row.attempts == 1
    await still_works(billing, 43)


async def test_set_aside_event_naming_a_guild_tells_its_moderators(billing: Billing) -> None:
    subscription = fixture("subscription")
    obj = {**subscription, "items": "broken",
           "metadata": {"guild_id": str(GUILD), "user_id": "77", "tier": "pro"}}  # fmt: skip
    status, _ = await post(billing, json.dumps(envelope(obj, "customer.subscription.updated")))
    assert status == 200
    await eventually(lambda: any(channel == MOD_LOG for channel, _ in billing.discord.posts))
    text = next(text for channel, text in billing.discord.posts if channel == MOD_LOG)
    assert "evt_odd_1" in text and "set aside" in text


# ---------------------------------------------------------------- fuzz

ODD_TEXT = st.sampled_from(["\ud800", "\udfff", "\x00", "²³", "", "sub_1", "1001", "a" * 300])
texts = st.text(max_size=10) | ODD_TEXT | st.builds(str.__add__, st.text(max_size=4), ODD_TEXT)
numbers = (
    st.integers()
    | st.sampled_from([10**20, -(10**20), 2**63, 2**64, -1, 0, GUILD])
    | st.floats()  # NaN and infinities included: json.dumps writes them as NaN / Infinity
)
scalars = st.none() | st.booleans() | numbers | texts
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=10,
)
HANDLED = sorted(HANDLED_EVENTS)
OBJECTS = {
    name: fixture(name) for name in ("subscription", "invoice", "checkout.session", "charge")
}


def paths(value: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every key path in a fixture object (lists are entered at their first item)."""
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths(item, (*prefix, key))
    elif isinstance(value, list) and value:
        found += paths(value[0], (*prefix, "0"))
    return found


def at(obj: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        obj = obj[int(key)] if isinstance(obj, list) else obj[key]
    return obj


PATHS = {name: paths(obj) for name, obj in OBJECTS.items()}
# Where the shape matters most: the nested objects and lists, and the fields we read.
READ = set(
    [
        "id",
        "status",
        "customer",
        "metadata",
        "price",
        "unit_amount",
        "quantity",
        "currency",
        "current_period_end",
        "cancel_at",
        "amount",
        "amount_refunded",
        "payment_intent",
        "subscription",
        "mode",
        "payment_status",
        "amount_total",
        "client_reference_id",
    ]
)
SHAPED = {
    name: [p for p in found if p[-1] in READ or isinstance(at(OBJECTS[name], p), dict | list)]
    for name, found in PATHS.items()
}


@st.composite
def odd_objects(draw: st.DrawFn) -> dict[str, Any]:
    """A real Stripe object with a few fields replaced by odd values (our metadata sometimes)."""
    name = draw(st.sampled_from(sorted(OBJECTS)))
    obj: dict[str, Any] = json.loads(json.dumps(OBJECTS[name]))
    if draw(st.booleans()):
        obj["metadata"] = {"guild_id": str(GUILD), "user_id": draw(texts | numbers), "tier": "pro"}
    chosen = st.sampled_from(SHAPED[name]) | st.sampled_from(PATHS[name])
    for path in draw(st.lists(chosen, min_size=1, max_size=3)):
        parent: Any = obj
        for key in path[:-1]:
            if isinstance(parent, list):
                # An earlier replacement may have changed what this path walks through.
                if not (key.isdigit() and int(key) < len(parent)):
                    break
                parent = parent[int(key)]
            else:
                parent = parent.get(key)
            if not isinstance(parent, dict | list):
                break
        else:
            if isinstance(parent, dict):
                parent[path[-1]] = draw(values)
    return obj


event_ids = st.builds("evt_fuzz_{}".format, st.integers(0, 10**9)) | texts
bodies = st.one_of(
    values.map(json.dumps),
    st.integers(1, 3000).map(nested),
    st.builds(
        lambda obj, kind, event_id, created: json.dumps(envelope(obj, kind, event_id, created)),
        odd_objects(),
        st.sampled_from(HANDLED) | texts,
        event_ids,
        st.none() | numbers,
    ),
)
USERS = itertools.count(500)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=bodies)
async def test_fuzzed_signed_bodies_never_get_a_5xx_nor_block_later_events(
    billing: Billing, body: str
) -> None:
    status, text = await post(billing, body)
    assert status < 500, text
    await asyncio.wait_for(billing.service.events.idle(), 10)  # nothing is retried forever
    await still_works(billing, next(USERS))


@settings(max_examples=50, deadline=None)
@given(obj=odd_objects())
def test_parsers_accept_or_raise_invalid_payload_only(obj: dict[str, Any]) -> None:
    for parse in (parse_subscription, parse_checkout, parse_charge, parse_dispute,
                  invoice_subscription, named_guild):  # fmt: skip
        with contextlib.suppress(InvalidPayload):
            parse(obj)
    assert routing_key("invoice.paid", obj, "evt_1").startswith("sub:")
