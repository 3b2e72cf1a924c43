"""The API stand-in as the real async StripeClient sees it."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
import stripe
from stripe import RequestOptions

from sandbox.stripe import StripeSandbox


async def test_checkout_session_create_returns_an_open_session_with_a_url(
    client: stripe.StripeClient, checkout_params: Any, stripe_sb: StripeSandbox
) -> None:
    session = await client.v1.checkout.sessions.create_async(params=checkout_params())

    assert session.object == "checkout.session"
    assert session.id.startswith("cs_test_a1")
    assert session.url == f"{stripe_sb.api_base}/c/pay/{session.id}"
    assert (session.status, session.payment_status, session.mode) == (
        "open",
        "unpaid",
        "subscription",
    )
    assert session.client_reference_id == "10:20"
    assert session.to_dict()["metadata"] == {"guild_id": "10", "user_id": "20", "tier": "pro"}
    assert session.amount_total == 1500


async def test_checkout_session_nested_params_are_parsed(
    client: stripe.StripeClient, checkout_params: Any, stripe_sb: StripeSandbox
) -> None:
    params = checkout_params(allow_promotion_codes=True, customer_email="ada@example.com")
    created = await client.v1.checkout.sessions.create_async(params=params)

    call = stripe_sb.calls[-1]
    assert call.params["line_items"] == [{"price": "price_pro", "quantity": "1"}]
    assert call.params["subscription_data"] == {
        "metadata": {"guild_id": "10", "user_id": "20", "tier": "pro"}
    }
    assert created.allow_promotion_codes is True
    assert created.customer_email == "ada@example.com"


async def test_checkout_session_retrieve_expands_line_items(
    client: stripe.StripeClient, checkout_params: Any
) -> None:
    created = await client.v1.checkout.sessions.create_async(params=checkout_params())

    fetched = await client.v1.checkout.sessions.retrieve_async(
        created.id, params={"expand": ["line_items"]}
    )

    items = fetched.to_dict()["line_items"]["data"]
    assert [item["price"]["id"] for item in items] == ["price_pro"]
    assert items[0]["object"] == "item"


async def test_unknown_parameter_is_rejected_like_stripe(
    client: stripe.StripeClient, checkout_params: Any
) -> None:
    params = checkout_params(subscription_data={"metdata": {"tier": "pro"}})

    with pytest.raises(stripe.InvalidRequestError) as raised:
        await client.v1.checkout.sessions.create_async(params=params)

    assert raised.value.code == "parameter_unknown"
    assert raised.value.param == "subscription_data[metdata]"


async def test_recurring_price_in_payment_mode_is_a_400(
    client: stripe.StripeClient, checkout_params: Any
) -> None:
    params = checkout_params(mode="payment", subscription_data=None)

    with pytest.raises(stripe.InvalidRequestError) as raised:
        await client.v1.checkout.sessions.create_async(params=params)

    assert raised.value.http_status == 400
    assert raised.value.param == "line_items[0][price]"


async def test_unknown_price_is_resource_missing(
    client: stripe.StripeClient, checkout_params: Any
) -> None:
    with pytest.raises(stripe.InvalidRequestError) as raised:
        await client.v1.checkout.sessions.create_async(params=checkout_params("price_nope"))

    assert raised.value.code == "resource_missing"
    assert "No such price: 'price_nope'" in str(raised.value)


async def test_missing_subscription_raises_invalid_request_error(
    client: stripe.StripeClient,
) -> None:
    with pytest.raises(stripe.InvalidRequestError) as raised:
        await client.v1.subscriptions.retrieve_async("sub_1NoSuchThing")

    assert (raised.value.http_status, raised.value.code, raised.value.param) == (
        404,
        "resource_missing",
        "id",
    )


async def test_wrong_api_key_raises_authentication_error(stripe_sb: StripeSandbox) -> None:
    http = stripe.AIOHTTPClient()
    wrong = stripe.StripeClient(
        "sk_test_wrong_key_123", http_client=http, base_addresses={"api": stripe_sb.api_base}
    )
    try:
        with pytest.raises(stripe.AuthenticationError):
            await wrong.v1.prices.retrieve_async("price_pro")
    finally:
        await http.close_async()  # type: ignore[no-untyped-call]  # stripe leaves it unannotated


async def test_unrecognized_url_is_a_stripe_404(stripe_sb: StripeSandbox) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.get(
            f"{stripe_sb.api_base}/v1/nothing_here",
            headers={"Authorization": f"Bearer {stripe_sb.api_key}"},
        ) as response,
    ):
        body = await response.json()

    assert response.status == 404
    assert body["error"]["type"] == "invalid_request_error"
    assert "Unrecognized request URL" in body["error"]["message"]


async def test_subscription_list_paginates_with_auto_paging(
    client: stripe.StripeClient, subscribe: Any
) -> None:
    created = [(await subscribe()).subscription_id for _ in range(5)]

    first = await client.v1.subscriptions.list_async(params={"limit": 2})
    every = [sub.id async for sub in first.auto_paging_iter()]

    assert first.has_more is True
    assert len(first.data) == 2
    assert sorted(every) == sorted(created)
    assert len(every) == 5


async def test_subscription_list_hides_canceled_unless_status_all(
    client: stripe.StripeClient, subscribe: Any, stripe_sb: StripeSandbox
) -> None:
    kept = (await subscribe()).subscription_id
    gone = (await subscribe()).subscription_id
    await stripe_sb.cancel_now(gone)

    default = await client.v1.subscriptions.list_async()
    everything = await client.v1.subscriptions.list_async(params={"status": "all"})
    canceled = await client.v1.subscriptions.list_async(params={"status": "canceled"})

    assert [sub.id for sub in default.data] == [kept]
    assert {sub.id for sub in everything.data} == {kept, gone}
    assert [sub.id for sub in canceled.data] == [gone]


async def test_subscription_list_filters_by_customer_and_price(
    client: stripe.StripeClient, subscribe: Any
) -> None:
    monthly = await subscribe("price_pro")
    yearly = await subscribe("price_pro_yearly")

    by_price = await client.v1.subscriptions.list_async(params={"price": "price_pro_yearly"})
    by_customer = await client.v1.subscriptions.list_async(params={"customer": monthly.customer_id})

    assert [sub.id for sub in by_price.data] == [yearly.subscription_id]
    assert [sub.id for sub in by_customer.data] == [monthly.subscription_id]


async def test_prices_list_and_retrieve(client: stripe.StripeClient) -> None:
    one_time = await client.v1.prices.list_async(params={"type": "one_time"})
    price = (
        await client.v1.prices.retrieve_async("price_pro", params={"expand": ["product"]})
    ).to_dict()

    assert [p.id for p in one_time.data] == ["price_lifetime"]
    assert (price["unit_amount"], price["recurring"]["interval"], price["product"]["name"]) == (
        1500,
        "month",
        "Pro",
    )


async def test_billing_portal_session_returns_a_url(
    client: stripe.StripeClient, subscribe: Any, stripe_sb: StripeSandbox
) -> None:
    customer = (await subscribe()).customer_id

    portal = await client.v1.billing_portal.sessions.create_async(
        params={"customer": customer, "return_url": "https://example.com/back"}
    )

    assert portal.object == "billing_portal.session"
    assert portal.url.startswith(f"{stripe_sb.api_base}/p/session/bps_")
    assert portal.return_url == "https://example.com/back"


async def test_injected_server_error_raises_api_error_once(
    client: stripe.StripeClient, checkout_params: Any, stripe_sb: StripeSandbox
) -> None:
    stripe_sb.inject_error("POST", "/v1/checkout/sessions", status=503)

    with pytest.raises(stripe.APIError):
        await client.v1.checkout.sessions.create_async(params=checkout_params())
    session = await client.v1.checkout.sessions.create_async(params=checkout_params())

    assert session.status == "open"


async def test_idempotency_key_replays_the_first_answer(
    client: stripe.StripeClient, checkout_params: Any
) -> None:
    options: RequestOptions = {"idempotency_key": "subscribe-10-20"}
    first = await client.v1.checkout.sessions.create_async(
        params=checkout_params(), options=options
    )
    again = await client.v1.checkout.sessions.create_async(
        params=checkout_params(), options=options
    )

    assert again.id == first.id


async def test_customer_charge_and_invoice_are_retrievable(
    client: stripe.StripeClient, subscribe: Any
) -> None:
    paid = await subscribe()

    customer = await client.v1.customers.retrieve_async(paid.customer_id)
    charge = await client.v1.charges.retrieve_async(paid.charge_id)
    invoice = await client.v1.invoices.retrieve_async(paid.invoice_id)

    assert customer.email == "member@example.com"
    assert (charge.status, charge.amount) == ("succeeded", 1500)
    assert (invoice.status, invoice.amount_paid) == ("paid", 1500)
