"""What billing asks of Stripe's API (implemented in `bot/stripe_api.py`)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol


class StripeUnavailable(Exception):
    """Stripe could not be reached or failed; try again later."""


class StripeRejected(Exception):
    """Stripe refused the request (a 4xx other than 404); the message says why."""


@dataclass(frozen=True)
class CheckoutSession:
    """A Checkout Session the member can open."""

    id: str
    url: str


class StripeApi(Protocol):
    """The Stripe calls billing makes; objects come back as plain dicts."""

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
        """Create a Checkout Session for one price (`subscription` or `payment` mode)."""
        ...

    async def create_portal_session(self, customer_id: str, return_url: str) -> str:
        """Create a customer-portal session and return its URL."""
        ...

    async def retrieve_subscription(self, subscription_id: str) -> dict[str, Any] | None:
        """The subscription as Stripe holds it now (its latest invoice expanded), or None."""
        ...

    async def retrieve_charge(self, charge_id: str) -> dict[str, Any] | None:
        """The charge, or None when it does not exist."""
        ...

    async def retrieve_invoice(self, invoice_id: str) -> dict[str, Any] | None:
        """The invoice, or None when it does not exist."""
        ...

    async def invoice_paid_by(self, payment_intent_id: str) -> str | None:
        """The id of the invoice a payment intent was collecting, if any."""
        ...

    def list_subscriptions(self) -> AsyncIterator[dict[str, Any]]:
        """Every subscription, in any status (latest invoices expanded), page after page."""
        ...

    async def close(self) -> None:
        """Release connections (the next call may open new ones)."""
        ...
