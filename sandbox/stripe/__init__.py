"""A local Stripe stand-in: the API the bot calls and a webhook sender that signs like Stripe.

async with StripeSandbox(clock=clock) as stripe_sb:
    stripe_sb.add_price("price_pro", unit_amount=1500, interval="month", product_name="Pro")
    stripe_sb.add_endpoint("http://127.0.0.1:8080/stripe/webhook", "whsec_...")
    ...  # the bot creates a Checkout Session through stripe_sb.api_base
    await stripe_sb.pay(session_id)
    await stripe_sb.webhooks.drain()
"""

from .api import ApiCall
from .errors import ApiError, ScenarioError
from .sandbox import StripeSandbox
from .state import Outcome
from .webhooks import (
    DeliveryAttempt,
    Endpoint,
    RetryPolicy,
    WebhookSender,
    serialize,
    sign_payload,
)

__all__ = [
    "ApiCall",
    "ApiError",
    "DeliveryAttempt",
    "Endpoint",
    "Outcome",
    "RetryPolicy",
    "ScenarioError",
    "StripeSandbox",
    "WebhookSender",
    "serialize",
    "sign_payload",
]
