"""Every scenario's events and objects, and every API answer, fit stripe-python's models for the
API version the sandbox announces (declared fields only, required ones present, right types)."""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import pytest
import stripe
from stripe._error_object import ErrorObject

from sandbox.stripe import Outcome, StripeSandbox
from sandbox.stripe.objects_catalog import build_price
from tests.sandbox.stripe.conftest import Params, Subscribe
from tests.sandbox.stripe.stripe_models import check_event, check_object, check_value, object_class

OBJECT_TYPES = (
    "billing_portal.session",
    "charge",
    "checkout.session",
    "customer",
    "dispute",
    "invoice",
    "invoice_payment",
    "payment_intent",
    "price",
    "product",
    "refund",
    "subscription",
)
Scenario = Callable[[StripeSandbox, Subscribe, Params], Awaitable[None]]


def _subscription(outcome: Outcome) -> str:
    """The subscription a recurring checkout created."""
    assert outcome.subscription_id is not None, outcome
    return outcome.subscription_id


def _pay(price: str, **extra: Any) -> Scenario:
    async def run(sb: StripeSandbox, subscribe: Subscribe, params: Params) -> None:
        await subscribe(price, **extra)

    return run


def _async_payment(succeed: bool) -> Scenario:
    async def run(sb: StripeSandbox, subscribe: Subscribe, params: Params) -> None:
        session = sb.create_checkout_session(params("price_lifetime"))
        await sb.pay(session["id"], async_payment=True)
        await sb.settle_async_payment(session["id"], succeed=succeed)

    return run


def _dispute_closes(status: str) -> Scenario:
    async def run(sb: StripeSandbox, subscribe: Subscribe, params: Params) -> None:
        opened = await sb.dispute((await subscribe()).charge_id or "")
        await sb.close_dispute(opened.dispute_id or "", status=status)

    return run


async def _expire(sb: StripeSandbox, subscribe: Subscribe, params: Params) -> None:
    await sb.expire(sb.create_checkout_session(params())["id"])


async def _renew(sb: StripeSandbox, subscribe: Subscribe, params: Params) -> None:
    await sb.renew(_subscription(await subscribe()))
    await sb.renew(_subscription(await subscribe(trial_days=14)))


async def _fail_retry_recover(sb: StripeSandbox, subscribe: Subscribe, params: Params) -> None:
    subscription = _subscription(await subscribe())
    await sb.fail_payment(subscription)
    await sb.fail_payment(subscription)
    await sb.recover(subscription)


async def _fail_then_unpaid(sb: StripeSandbox, subscribe: Subscribe, params: Params) -> None:
    subscription = _subscription(await subscribe())
    await sb.fail_payment(subscription)
    await sb.mark_unpaid(subscription)


async def _cancel_undo_end(sb: StripeSandbox, subscribe: Subscribe, params: Params) -> None:
    subscription = _subscription(await subscribe())
    await sb.cancel_at_period_end(subscription)
    await sb.undo_cancel(subscription)
    await sb.cancel_at_period_end(subscription)
    await sb.end_period(subscription)


async def _cancel_now(sb: StripeSandbox, subscribe: Subscribe, params: Params) -> None:
    await sb.cancel_now(_subscription(await subscribe()))


async def _pause_resume(sb: StripeSandbox, subscribe: Subscribe, params: Params) -> None:
    subscription = _subscription(await subscribe())
    await sb.pause(subscription)
    await sb.resume(subscription)


async def _refunds(sb: StripeSandbox, subscribe: Subscribe, params: Params) -> None:
    charge = (await subscribe("price_lifetime")).charge_id or ""
    await sb.refund(charge, 900)
    await sb.refund(charge)


SCENARIOS: dict[str, Scenario] = {
    "pay a subscription": _pay("price_pro"),
    "pay a yearly subscription": _pay("price_pro_yearly"),
    "pay with a trial": _pay("price_pro", trial_days=14),
    "trial from subscription_data": _pay(
        "price_pro", subscription_data={"trial_period_days": 7, "metadata": {"tier": "pro"}}
    ),
    "pay once": _pay("price_lifetime"),
    "pay once, customer always": _pay("price_lifetime", customer_creation="always"),
    "async payment succeeds": _async_payment(True),
    "async payment fails": _async_payment(False),
    "session expires": _expire,
    "renew, also a trial": _renew,
    "fail, retry, recover": _fail_retry_recover,
    "fail, then unpaid": _fail_then_unpaid,
    "cancel, undo, cancel, period ends": _cancel_undo_end,
    "cancel now": _cancel_now,
    "pause, resume": _pause_resume,
    "partial then full refund": _refunds,
    "dispute won": _dispute_closes("won"),
    "dispute lost": _dispute_closes("lost"),
}


def test_the_scenarios_here_use_every_scenario_the_sandbox_has() -> None:
    offered = {
        name
        for name, method in inspect.getmembers(StripeSandbox, inspect.iscoroutinefunction)
        if inspect.signature(method).return_annotation == "Outcome"
    }
    sources = "".join(inspect.getsource(run) for run in SCENARIOS.values())
    assert {name for name in offered if f"sb.{name}(" not in sources} <= {"pay"}  # via subscribe
    assert "expire" in offered and "close_dispute" in offered


@pytest.mark.parametrize("name", list(SCENARIOS))
async def test_every_event_and_object_of_a_scenario_fits_stripes_models(
    name: str, stripe_sb: StripeSandbox, subscribe: Subscribe, checkout_params: Params
) -> None:
    await SCENARIOS[name](stripe_sb, subscribe, checkout_params)

    assert stripe_sb.events
    problems = [p for event in stripe_sb.events for p in check_event(event)]
    for object_type in OBJECT_TYPES:
        cls = object_class(object_type)
        problems += [
            p
            for obj in stripe_sb.objects_of(object_type)
            for p in check_object(obj, cls, obj["id"])
        ]
    sent = {event["data"]["object"]["object"] for event in stripe_sb.events}
    assert sent <= set(OBJECT_TYPES)
    assert problems == []


def check_answer(body: Any) -> list[str]:
    """An API answer: an error envelope, a list page, or one object of its `object` kind."""
    if "error" in body:
        extra = [f"answer.{k}: not in Stripe's error envelope" for k in body if k != "error"]
        return extra + check_object(body["error"], ErrorObject, "error")
    if body.get("object") == "list":
        found = [f"list.{k}: unexpected" for k in body if k not in LIST_KEYS]
        for n, item in enumerate(body["data"]):
            found += check_object(item, object_class(item["object"]), f"list.data[{n}]")
        return found
    return check_object(body, object_class(body["object"]), body.get("id", "answer"))


LIST_KEYS = {"object", "data", "has_more", "url"}
EXPANDABLE = {
    "subscriptions": ["customer", "latest_invoice", "items.data.price.product"],
    "invoices": ["customer", "parent.subscription_details.subscription"],
    "charges": ["customer", "payment_intent"],
    "payment_intents": ["customer", "latest_charge"],
    "checkout/sessions": ["line_items", "customer", "subscription", "payment_intent"],
    "refunds": ["charge", "payment_intent"],
    "disputes": ["charge", "payment_intent"],
    "prices": ["product"],
}


@pytest.fixture
async def api(stripe_sb: StripeSandbox) -> AsyncIterator[aiohttp.ClientSession]:
    """Raw HTTP to the sandbox's API, authorised with its key."""
    headers = {"Authorization": f"Bearer {stripe_sb.api_key}"}
    async with aiohttp.ClientSession(base_url=stripe_sb.api_base, headers=headers) as http:
        yield http


async def _answer(http: aiohttp.ClientSession, method: str, path: str, params: Any = ()) -> Any:
    if method == "GET":
        async with http.get(path, params=list(params)) as response:
            return await response.json()
    async with http.post(path, data=list(params)) as response:
        return await response.json()


async def test_every_api_answer_fits_stripes_models(
    stripe_sb: StripeSandbox,
    subscribe: Subscribe,
    checkout_params: Params,
    api: aiohttp.ClientSession,
) -> None:
    paid = await subscribe()
    await stripe_sb.fail_payment(_subscription(paid))
    once = await subscribe("price_lifetime")
    await stripe_sb.refund(once.charge_id or "", 100)
    await stripe_sb.dispute(once.charge_id or "")
    customer = stripe_sb.get(_subscription(paid))["customer"]
    open_session = stripe_sb.create_checkout_session(checkout_params())["id"]
    answers = [
        await _answer(api, "GET", "/v1/subscriptions", [("status", "all")]),
        await _answer(api, "GET", "/v1/prices", [("expand[]", "data.product")]),
        await _answer(
            api,
            "GET",
            "/v1/invoice_payments",
            [("invoice", stripe_sb.get(_subscription(paid))["latest_invoice"])],
        ),
        await _answer(api, "GET", f"/v1/checkout/sessions/{paid.session_id}/line_items"),
        await _answer(api, "POST", "/v1/checkout/sessions", _form(checkout_params())),
        await _answer(api, "POST", f"/v1/checkout/sessions/{open_session}/expire"),
        await _answer(api, "POST", "/v1/billing_portal/sessions", [("customer", customer)]),
        await _answer(api, "GET", "/v1/subscriptions/sub_nope"),
        await _answer(api, "GET", "/v1/prices", [("bogus", "1")]),
    ]
    for event in stripe_sb.events:
        obj = event["data"]["object"]
        answers.append(await _answer(api, "GET", f"/v1/events/{event['id']}"))
        route = ROUTES.get(obj["object"])
        if route is not None:
            expand = [("expand[]", path) for path in EXPANDABLE.get(route, [])]
            answers.append(await _answer(api, "GET", f"/v1/{route}/{obj['id']}"))
            answers.append(await _answer(api, "GET", f"/v1/{route}/{obj['id']}", expand))
    failed = [a for a in answers if "error" in a]
    assert len(failed) == 2, [a["error"]["message"] for a in failed]  # the two bad requests
    assert [p for answer in answers for p in check_answer(answer)] == []


ROUTES = {
    "subscription": "subscriptions",
    "customer": "customers",
    "invoice": "invoices",
    "charge": "charges",
    "payment_intent": "payment_intents",
    "checkout.session": "checkout/sessions",
    "refund": "refunds",
    "dispute": "disputes",
}


def _form(params: Any, prefix: str = "") -> list[tuple[str, str]]:
    """Nested params as Stripe's form encoding (`a[b][0][c]=...`)."""
    pairs: list[tuple[str, str]] = []
    items = params.items() if isinstance(params, dict) else enumerate(params)
    for key, value in items:
        name = f"{prefix}[{key}]" if prefix else str(key)
        if isinstance(value, dict | list):
            pairs += _form(value, name)
        elif value is not None:
            pairs.append((name, str(value).lower() if isinstance(value, bool) else str(value)))
    return pairs


def test_the_model_check_finds_extra_missing_and_mistyped_fields() -> None:
    price = stripe_sb_price()
    cls = object_class("price")
    assert check_object(price, cls, "price") == []
    extra = check_object({**price, "colour": "red"}, cls, "price")
    assert extra == ["price.colour: not a field of Price"]
    missing = check_object({k: v for k, v in price.items() if k != "currency"}, cls, "price")
    assert missing == ["price.currency: missing (required by Price)"]
    assert check_object({**price, "unit_amount": "15"}, cls, "price") == [
        "price.unit_amount: expected int, got '15'"
    ]
    assert check_object({**price, "object": "plan"}, cls, "price") == [
        "price.object: 'plan' is not one of ('price',)"
    ]
    assert check_object({**price, "product": {"id": "prod_1"}}, cls, "price") != []


def test_an_error_must_embed_the_whole_payment_method() -> None:
    hint = stripe.PaymentIntent.LastPaymentError.__annotations__["payment_method"]
    module = stripe.PaymentIntent.__module__
    [problem] = check_value("pm_123", hint, module, "last_payment_error.payment_method")
    assert "expected a PaymentMethod object" in problem


def stripe_sb_price() -> dict[str, Any]:
    """A price as the sandbox builds it."""
    return build_price(
        "price_x",
        product_id="prod_x",
        unit_amount=1500,
        currency="usd",
        interval="month",
        interval_count=1,
        created=1,
        nickname=None,
        lookup_key=None,
        metadata={},
    )
