"""The only place that calls Stripe's API: a small typed wrapper around an async StripeClient."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

import stripe

if TYPE_CHECKING:
    from stripe.params import InvoicePaymentListParams, SubscriptionListParams
    from stripe.params.billing_portal import SessionCreateParams as PortalParams
    from stripe.params.checkout import SessionCreateParams as CheckoutParams

from bot.services.billing.stripe_api import CheckoutSession, StripeRejected, StripeUnavailable
from bot.settings import StripeSettings

log = logging.getLogger(__name__)

MAX_NETWORK_RETRIES = 2
T = TypeVar("T")


def _plain(obj: stripe.StripeObject) -> dict[str, Any]:
    return obj.to_dict(recursive=True, for_json=True)


class StripeHttpApi:
    """`StripeApi` over `stripe.StripeClient` with aiohttp.

    The client is built on first use, inside the running loop, because an async
    StripeClient stays bound to the loop that first used it.
    """

    def __init__(self, settings: StripeSettings) -> None:
        self._settings = settings
        self._client: stripe.StripeClient | None = None
        self._http: stripe.AIOHTTPClient | None = None

    def _stripe(self) -> stripe.StripeClient:
        if self._client is None:
            if not self._settings.api_key:
                raise StripeUnavailable("STRIPE_API_KEY is not set")
            self._http = stripe.AIOHTTPClient()
            base = {"api": self._settings.api_base} if self._settings.api_base else None
            self._client = stripe.StripeClient(
                self._settings.api_key.reveal(),
                base_addresses=base,  # type: ignore[arg-type]
                http_client=self._http,
                max_network_retries=MAX_NETWORK_RETRIES,
            )
        return self._client

    async def close(self) -> None:
        """Close the HTTP session (the next call opens a new client)."""
        if self._http is not None:
            await self._http.close_async()  # type: ignore[no-untyped-call]
        self._client = self._http = None

    async def _call(self, what: str, call: Callable[[], Awaitable[T]]) -> T:
        try:
            return await call()
        except (stripe.APIConnectionError, stripe.RateLimitError) as error:
            raise StripeUnavailable(f"{what}: {error.user_message or error}") from error
        except (stripe.AuthenticationError, stripe.PermissionError) as error:
            log.error("Stripe refused our API key for %s: %s", what, error.user_message)
            raise StripeUnavailable(f"{what}: Stripe refused the API key") from error
        except stripe.StripeError as error:
            if error.http_status is None or error.http_status >= 500:
                raise StripeUnavailable(f"{what}: {error.user_message or error}") from error
            raise StripeRejected(f"{what}: {error.user_message or error}") from error

    async def _retrieve(
        self, what: str, call: Callable[[], Awaitable[Any]]
    ) -> dict[str, Any] | None:
        try:
            return _plain(await self._call(what, call))
        except StripeRejected as error:
            cause = error.__cause__
            if isinstance(cause, stripe.InvalidRequestError) and cause.http_status == 404:
                return None
            raise

    async def create_checkout_session(
        self,
        *,
        mode: str,
        price_id: str,
        client_reference_id: str,
        metadata: Mapping[str, str],
        success_url: str,
        cancel_url: str,
        customer_id: str | None,
    ) -> CheckoutSession:
        """Create a Checkout Session for one price; metadata also lands on what it creates."""
        params: dict[str, Any] = {
            "mode": mode,
            "line_items": [{"price": price_id, "quantity": 1}],
            "client_reference_id": client_reference_id,
            "metadata": dict(metadata),
            "allow_promotion_codes": True,
            "success_url": success_url,
            "cancel_url": cancel_url,
        }
        if mode == "subscription":
            params["subscription_data"] = {"metadata": dict(metadata)}
        else:
            params["payment_intent_data"] = {"metadata": dict(metadata)}
            if customer_id is None:
                params["customer_creation"] = "always"  # so /billing works for one-time buyers
        if customer_id is not None:
            params["customer"] = customer_id
        client = self._stripe()
        session = await self._call(
            "create checkout session",
            lambda: client.v1.checkout.sessions.create_async(cast("CheckoutParams", params)),
        )
        if not session.url:
            raise StripeRejected("Stripe returned a checkout session without a URL")
        return CheckoutSession(id=session.id, url=session.url)

    async def create_portal_session(self, customer_id: str, return_url: str) -> str:
        """Create a customer-portal session and return its URL."""
        client = self._stripe()
        params: dict[str, Any] = {"customer": customer_id, "return_url": return_url}
        portal = await self._call(
            "create portal session",
            lambda: client.v1.billing_portal.sessions.create_async(cast("PortalParams", params)),
        )
        return str(portal.url)

    async def retrieve_subscription(self, subscription_id: str) -> dict[str, Any] | None:
        """The subscription as Stripe holds it now, or None when it does not exist."""
        client = self._stripe()
        return await self._retrieve(
            "retrieve subscription",
            lambda: client.v1.subscriptions.retrieve_async(
                subscription_id, {"expand": ["latest_invoice"]}
            ),
        )

    async def retrieve_charge(self, charge_id: str) -> dict[str, Any] | None:
        """The charge, or None when it does not exist."""
        client = self._stripe()
        return await self._retrieve(
            "retrieve charge", lambda: client.v1.charges.retrieve_async(charge_id)
        )

    async def retrieve_invoice(self, invoice_id: str) -> dict[str, Any] | None:
        """The invoice, or None when it does not exist."""
        client = self._stripe()
        return await self._retrieve(
            "retrieve invoice", lambda: client.v1.invoices.retrieve_async(invoice_id)
        )

    async def invoice_paid_by(self, payment_intent_id: str) -> str | None:
        """The id of the invoice a payment intent was collecting, if any."""
        client = self._stripe()
        params: InvoicePaymentListParams = {
            "payment": {"type": "payment_intent", "payment_intent": payment_intent_id},
            "limit": 1,
        }
        page = await self._call(
            "list invoice payments", lambda: client.v1.invoice_payments.list_async(params)
        )
        invoice = page.data[0].invoice if page.data else None
        return invoice if isinstance(invoice, str) else getattr(invoice, "id", None)

    async def list_subscriptions(self) -> AsyncIterator[dict[str, Any]]:
        """Every subscription, in any status, page after page."""
        client = self._stripe()
        params: dict[str, Any] = {
            "status": "all",
            "limit": 100,
            "expand": ["data.latest_invoice"],
        }
        while True:
            page = await self._call(
                "list subscriptions",
                lambda: client.v1.subscriptions.list_async(
                    cast("SubscriptionListParams", dict(params))
                ),
            )
            for subscription in page.data:
                yield _plain(subscription)
            if not page.has_more or not page.data:
                return
            params["starting_after"] = page.data[-1].id
