"""`lyceum webhooks` (the receiver alone) and `lyceum entitlements` (who holds what)."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import signal
from typing import TYPE_CHECKING, Any

from bot.cli_args import (
    Command,
    add_config_argument,
    add_guild_argument,
    configured_guild_id,
    settings_from,
)
from bot.core.clock import SystemClock
from bot.settings import Settings
from storage.billing import queries as billing
from storage.database import Database
from storage.migrate import ensure_migrated

if TYPE_CHECKING:  # billing (and stripe) load only when a command runs
    from bot.services.billing import EntitlementView

log = logging.getLogger(__name__)


def entitlement_json(view: EntitlementView) -> dict[str, Any]:
    """The CLI's JSON shape of one entitlement."""
    end = view.current_period_end
    return {
        "user_id": view.user_id,
        "tier": view.tier,
        "status": view.status,
        "active": view.active,
        "source": view.source,
        "current_period_end": end.isoformat() if end is not None else None,
    }


async def entitlements(settings: Settings, guild_id: int) -> list[EntitlementView]:
    """Every entitlement of the guild, read from the configured database."""
    db = Database.from_url(settings.database.url)
    try:
        await ensure_migrated(db)
        async with db.read() as session:
            rows = await billing.entitlements_of_guild(session, guild_id)
        from bot.services.billing import EntitlementView

        return [EntitlementView.of(row) for row in rows]
    finally:
        await db.close()


def print_entitlements(settings: Settings, guild_id: int, *, as_json: bool) -> int:
    """Print the guild's entitlements as JSON or as a table."""
    views = asyncio.run(entitlements(settings, guild_id))
    if as_json:
        print(json.dumps([entitlement_json(view) for view in views], indent=2))
        return 0
    if not views:
        print(f"guild {guild_id}: no entitlements")
    for view in views:
        end = view.current_period_end.isoformat() if view.current_period_end else "-"
        state = "active" if view.active else "inactive"
        print(f"{view.user_id:>20}  {view.tier:<12} {view.source:<7} {view.status:<18} "
              f"{state:<8} {end}")  # fmt: skip
    return 0


async def serve_webhooks(settings: Settings) -> int:
    """Serve POST /stripe/webhook alone until SIGTERM/SIGINT; the bots apply what it stores."""
    if not settings.stripe.webhook_secret:
        print("STRIPE_WEBHOOK_SECRET: not set (the signing secret of your webhook endpoint)")
        return 1
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    db = Database.from_url(settings.database.url)
    try:
        await ensure_migrated(db)
        # Only this command needs the web server and Stripe's signature checks.
        from bot.runtime import web_server
        from bot.services.billing import WebhookReceiver
        from bot.stripe_webhook import receiver_app

        receiver = WebhookReceiver(db, SystemClock(), settings.stripe.webhook_secret.reveal())
        app = receiver_app(receiver, db)
        async with web_server(app, settings.web.host, settings.web.port) as url:
            log.info("webhook receiver listening at %s/stripe/webhook", url)
            await stop.wait()
        log.info("webhook receiver stopped")
    finally:
        await db.close()
    return 0


def _webhooks(args: argparse.Namespace) -> int:
    return asyncio.run(serve_webhooks(settings_from(args)))


def _entitlements(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    return print_entitlements(settings, configured_guild_id(settings, args), as_json=args.json)


def _add_entitlements_arguments(parser: argparse.ArgumentParser) -> None:
    add_config_argument(parser)
    add_guild_argument(parser)
    parser.add_argument("--json", action="store_true", help="print JSON")


COMMANDS = [
    Command("webhooks", "serve the Stripe webhook receiver alone", add_config_argument, _webhooks),
    Command(
        "entitlements", "list who holds which tier", _add_entitlements_arguments, _entitlements
    ),
]
