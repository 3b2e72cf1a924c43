"""Billing's tables and queries: tiers, entitlements, disputes, Stripe events."""
