"""Helpers for the billing end-to-end tests."""

from __future__ import annotations

from bot.services.billing import BillingService
from sandbox.community import Community
from sandbox.discord import Person, Reply
from sandbox.stripe import Outcome
from storage.billing import queries as billing
from storage.billing.models import Entitlement


def session_id_of(reply: Reply) -> str:
    """The Checkout Session id behind the link button of a /subscribe reply."""
    urls = [button["url"] for button in reply.buttons if button.get("url")]
    assert urls, f"no link in {reply!r}"
    return str(urls[0]).rstrip("/").rsplit("/", 1)[-1]


async def subscribe_and_pay(world: Community, person: Person, tier: str = "pro") -> Outcome:
    """The member runs /subscribe and pays the session it links to."""
    reply = await person.run("/subscribe", tier=tier)
    return await world.stripe.pay(session_id_of(reply))


async def entitlement(world: Community, user_id: int, tier: str = "pro") -> Entitlement | None:
    """The member's Stripe entitlement."""
    async with world.db.read() as session:
        return await billing.entitlement(session, world.guild.id, user_id, tier, "stripe")


async def settled(world: Community) -> None:
    """Every webhook answered, every stored event applied, the outbox emptied once."""
    await world.stripe.webhooks.drain()
    await world.service(BillingService).events.idle()
    await world.service(BillingService).outbox.run_once()
