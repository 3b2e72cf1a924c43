"""Billing against the real database and the Stripe sandbox, with Discord as a small fake."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.core.clock import FakeClock
from bot.runtime import web_server
from bot.scheduler import Scheduler
from bot.services.billing import BillingService
from bot.services.roles import RoleService
from bot.services.roles.outbox import Backoff
from bot.stripe_api import StripeHttpApi
from bot.stripe_webhook import receiver_app
from sandbox.stripe import StripeSandbox
from storage.database import Database
from tests.services.billing.support import FAST_RETRY, SECRET, Billing, FakeDiscord, settings_for


@pytest.fixture
async def stripe_sb(clock: FakeClock) -> AsyncIterator[StripeSandbox]:
    """The Stripe sandbox on the tests' clock, with the two tiers' prices."""
    async with StripeSandbox(clock=clock, seed=11, retry=FAST_RETRY) as sandbox:
        sandbox.add_price("price_pro", unit_amount=1500, interval="month", product_name="Pro")
        sandbox.add_price("price_lifetime", unit_amount=9900, interval=None,
                          product_name="Lifetime")  # fmt: skip
        yield sandbox


@pytest.fixture
def discord_fake() -> FakeDiscord:
    """Discord as the billing ports see it."""
    return FakeDiscord()


@pytest.fixture
async def billing(
    db: Database, clock: FakeClock, stripe_sb: StripeSandbox, discord_fake: FakeDiscord
) -> AsyncIterator[Billing]:
    """The billing service, started, receiving the sandbox's webhooks over HTTP."""
    settings = settings_for(stripe_sb)
    role_service = RoleService(
        settings, db, clock, roles=discord_fake, notifier=discord_fake, publisher=discord_fake
    )
    service = BillingService(
        settings, db, clock, Scheduler(), StripeHttpApi(settings.stripe),
        roles=discord_fake, role_service=role_service,
    )  # fmt: skip
    service.outbox.backoff = Backoff(first=0.01, cap=0.05, permission_first=0.01,
                                     permission_cap=0.05)  # fmt: skip
    async with web_server(receiver_app(service.receiver, db), "127.0.0.1", 0) as url:
        stripe_sb.add_endpoint(f"{url}/stripe/webhook", SECRET)
        await role_service.start()
        await service.start()
        try:
            yield Billing(service, stripe_sb, discord_fake, db, clock, url)
        finally:
            await service.stop()
            await role_service.stop()
