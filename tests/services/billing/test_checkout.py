"""/subscribe and /billing: what the Checkout Session carries, and the plain refusals."""

from __future__ import annotations

import pytest

from bot.core.errors import InvalidInput, NotFound
from bot.services.billing import BillingUnavailable
from tests.services.billing.support import GUILD, Billing, buy

USER = 123


def session_of(billing: Billing, url: str) -> dict[str, object]:
    return billing.stripe.get(url.rsplit("/", 1)[-1])


async def test_checkout_session_names_the_member_everywhere(billing: Billing) -> None:
    link = await billing.service.checkout_link(GUILD, USER, "pro")
    session = session_of(billing, link.url)
    meta = {"guild_id": str(GUILD), "user_id": str(USER), "tier": "pro"}
    assert session["mode"] == "subscription"
    assert session["client_reference_id"] == f"{GUILD}:{USER}"
    assert session["metadata"] == meta
    assert session["allow_promotion_codes"] is True
    outcome = await billing.stripe.pay(str(session["id"]))
    assert outcome.subscription_id is not None
    assert billing.stripe.get(outcome.subscription_id)["metadata"] == meta


async def test_one_time_checkout_tags_the_payment_intent(billing: Billing) -> None:
    link = await billing.service.checkout_link(GUILD, USER, "lifetime")
    session = session_of(billing, link.url)
    assert session["mode"] == "payment" and link.kind == "one_time"
    outcome = await billing.stripe.pay(str(session["id"]))
    assert outcome.payment_intent_id is not None
    intent = billing.stripe.get(outcome.payment_intent_id)
    assert intent["metadata"] == {"guild_id": str(GUILD), "user_id": str(USER),
                                  "tier": "lifetime"}  # fmt: skip


async def test_unknown_tier_names_the_ones_on_offer(billing: Billing) -> None:
    with pytest.raises(NotFound, match="lifetime, pro"):
        await billing.service.checkout_link(GUILD, USER, "gold")


async def test_subscribing_twice_is_refused(billing: Billing) -> None:
    billing.discord.join(USER)
    await buy(billing, USER)
    await billing.settle()
    with pytest.raises(InvalidInput, match="already"):
        await billing.service.checkout_link(GUILD, USER, "pro")


async def test_stripe_down_gives_a_friendly_error(billing: Billing) -> None:
    billing.stripe.inject_error("POST", "/v1/checkout/sessions", status=503, times=5)
    with pytest.raises(BillingUnavailable, match="Nothing was charged"):
        await billing.service.checkout_link(GUILD, USER, "pro")


async def test_billing_without_a_customer_gets_a_plain_answer(billing: Billing) -> None:
    with pytest.raises(NotFound, match="/subscribe"):
        await billing.service.portal_link(GUILD, USER)


async def test_billing_opens_the_portal_for_the_customer(billing: Billing) -> None:
    billing.discord.join(USER)
    outcome = await buy(billing, USER)
    await billing.settle()
    url = await billing.service.portal_link(GUILD, USER)
    assert url.startswith("http")
    portal_calls = [c for c in billing.stripe.calls if c.path == "/v1/billing_portal/sessions"]
    assert portal_calls[-1].params["customer"] == outcome.customer_id
