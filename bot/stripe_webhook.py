"""POST /stripe/webhook: the raw body and signature go to the receiver; its receipt is the answer.

Also the app `lyceum webhooks` serves: the receiver alone (with /healthz), for scale-out.
"""

from __future__ import annotations

import json
import logging

from aiohttp import web

from bot.services.billing import WebhookReceiver
from storage.database import Database

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/stripe/webhook"


def webhook_route(receiver: WebhookReceiver) -> web.RouteDef:
    """The route that receives Stripe's deliveries."""

    async def stripe_webhook(request: web.Request) -> web.Response:
        body = await request.read()
        receipt = await receiver.receive(body, request.headers.get("Stripe-Signature"))
        if receipt.status >= 400:
            log.warning("webhook refused (%d): %s", receipt.status, receipt.message)
        answer = {"received": receipt.status < 300, "message": receipt.message}
        if receipt.event_id:
            answer["id"] = receipt.event_id
        return web.Response(
            text=json.dumps(answer), status=receipt.status, content_type="application/json"
        )

    return web.post(WEBHOOK_PATH, stripe_webhook)


def receiver_app(receiver: WebhookReceiver, db: Database) -> web.Application:
    """The webhook receiver alone: POST /stripe/webhook and GET /healthz."""

    async def healthz(_request: web.Request) -> web.Response:
        ok = await db.ping()
        return web.Response(
            text=json.dumps({"status": "ok" if ok else "degraded", "database": ok}),
            status=200 if ok else 503,
            content_type="application/json",
        )

    app = web.Application(client_max_size=1024**2)
    app.add_routes([webhook_route(receiver), web.get("/healthz", healthz)])
    return app
