"""Paid membership: Stripe Checkout, webhooks, entitlements and paid roles."""

from bot.services.billing.checkout import BillingUnavailable, CheckoutLink, TierChoice
from bot.services.billing.gateway import (
    CheckoutSession,
    StripeGateway,
    StripeRejected,
    StripeUnavailable,
)
from bot.services.billing.manual import EntitlementView, TierView
from bot.services.billing.reconcile import ReconcileReport
from bot.services.billing.service import BillingService
from bot.services.billing.webhooks import Receipt, WebhookReceiver

__all__ = [
    "BillingService",
    "BillingUnavailable",
    "CheckoutLink",
    "CheckoutSession",
    "EntitlementView",
    "Receipt",
    "ReconcileReport",
    "StripeGateway",
    "StripeRejected",
    "StripeUnavailable",
    "TierChoice",
    "TierView",
    "WebhookReceiver",
]
