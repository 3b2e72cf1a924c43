"""Replaying the past's payments through the real pipeline: Checkout, signed webhooks, roles."""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.services.billing import BillingService
from sandbox.community import Community
from sandbox.demo.clock import TravellingClock
from sandbox.demo.history import Payment


@dataclass
class PaymentReplay:
    """What the replay sent through the bot."""

    purchases: int = 0
    renewals: int = 0
    cancellations: int = 0
    webhooks: int = 0


async def settle(world: Community) -> None:
    """Wait until every webhook was answered and every stored event applied."""
    await world.stripe.webhooks.drain()
    await world.service(BillingService).events.idle()


def _session_id(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


def _period_end(world: Community, subscription_id: str) -> datetime:
    subscription = world.stripe.get(subscription_id)
    end = max(item["current_period_end"] for item in subscription["items"]["data"])
    return datetime.fromtimestamp(end, UTC)


async def replay_payments(
    world: Community, payments: list[Payment], clock: TravellingClock, until: datetime
) -> PaymentReplay:
    """Buy, renew and cancel at the moments of the past, in time order; back to now after."""
    done = PaymentReplay()
    agenda: list[tuple[datetime, int, str, Payment, str]] = []
    for n, payment in enumerate(payments):
        heapq.heappush(agenda, (payment.paid_at, n, "pay", payment, ""))
    order = len(payments)
    try:
        while agenda:
            when, _, action, payment, subscription_id = heapq.heappop(agenda)
            if when >= until:
                continue
            clock.travel_to(when)
            sent_before = len(world.stripe.events)
            if action == "pay":
                link = await world.service(BillingService).checkout_link(
                    world.guild.id, payment.user_id, payment.tier
                )
                outcome = await world.stripe.pay(_session_id(link.url), name=payment.name)
                done.purchases += 1
                if outcome.subscription_id:
                    order += 1
                    renew_at = _period_end(world, outcome.subscription_id)
                    heapq.heappush(
                        agenda, (renew_at, order, "renew", payment, outcome.subscription_id)
                    )
                    if payment.cancel_at:
                        order += 1
                        heapq.heappush(
                            agenda,
                            (payment.cancel_at, order, "cancel", payment, outcome.subscription_id),
                        )
            elif action == "renew":
                if world.stripe.get(subscription_id)["status"] != "active":
                    continue
                await world.stripe.renew(subscription_id)
                done.renewals += 1
                order += 1
                renew_at = _period_end(world, subscription_id)
                heapq.heappush(agenda, (renew_at, order, "renew", payment, subscription_id))
            else:
                await world.stripe.cancel_now(subscription_id)
                done.cancellations += 1
            done.webhooks += len(world.stripe.events) - sent_before
            await settle(world)
    finally:
        clock.back_to_present()
    return done
