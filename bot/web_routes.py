"""The web routes features add to the app (e.g. POST /stripe/webhook)."""

from __future__ import annotations

from aiohttp import web

from bot.services.container import Services
from bot.stripe_webhook import webhook_route


def feature_routes(services: Services) -> list[web.RouteDef]:
    """Routes beyond /healthz and /metrics, wired to their services."""
    return [webhook_route(services.billing.receiver)]
