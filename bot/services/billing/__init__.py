"""Paid membership: Stripe Checkout, webhooks, entitlements and paid roles."""

from bot.services.billing.checkout import BillingUnavailable, CheckoutLink, TierChoice
from bot.services.billing.moderation import EntitlementView, TierView
from bot.services.billing.reconcile import ReconcileReport
from bot.services.billing.service import BillingService
from bot.services.billing.stripe_api import (
    CheckoutSession,
    StripeApi,
    StripeRejected,
    StripeUnavailable,
)
from bot.services.billing.webhooks import Receipt, WebhookReceiver

__all__ = [
    "BillingService",
    "BillingUnavailable",
    "CheckoutLink",
    "CheckoutSession",
    "EntitlementView",
    "Receipt",
    "ReconcileReport",
    "StripeApi",
    "StripeRejected",
    "StripeUnavailable",
    "TierChoice",
    "TierView",
    "WebhookReceiver",
]
