"""Paid access over time with the real bot: failures, cancels, refunds, disputes, rejoins."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.clock import FakeClock
from bot.services.billing import BillingService
from bot.services.roles.outbox import Backoff
from sandbox.community import Community, running_community
from tests.e2e.billing.billing_support import entitlement, settled, subscribe_and_pay

PUT_ROLE = "PUT /guilds/{guild_id}/members/{user_id}/roles/{role_id}"


@pytest.fixture
async def world(tmp_path: Path, database_url: str) -> AsyncIterator[Community]:
    """A community whose bot and Stripe share a clock the test moves."""
    clock = FakeClock(datetime(2026, 11, 23, 10, tzinfo=UTC))
    async with running_community(tmp_path, clock=clock, database_url=database_url) as community:
        community.service(BillingService).outbox.backoff = Backoff(
            first=0.02, cap=0.1, permission_first=0.02, permission_cap=0.1
        )
        yield community


def fake_clock(world: Community) -> FakeClock:
    assert isinstance(world.clock, FakeClock)
    return world.clock


async def test_events_out_of_order_end_in_stripes_state(world: Community) -> None:
    alice = await world.guild.join("alice")
    outcome = await subscribe_and_pay(world, alice)
    await settled(world)
    assert outcome.subscription_id is not None
    world.stripe.webhooks.pause()
    fake_clock(world).advance(timedelta(days=30))
    await world.stripe.fail_payment(outcome.subscription_id)
    fake_clock(world).advance(timedelta(hours=2))
    await world.stripe.recover(outcome.subscription_id)
    fake_clock(world).advance(timedelta(hours=2))
    await world.stripe.cancel_now(outcome.subscription_id)
    world.stripe.webhooks.resume("shuffle", seed=3)
    await settled(world)
    row = await entitlement(world, alice.id)
    assert row is not None and row.status == "canceled" and not row.active
    assert not alice.has_role("Pro")


async def test_failed_payment_keeps_the_role_for_the_grace_then_revokes(world: Community) -> None:
    alice = await world.guild.join("alice")
    outcome = await subscribe_and_pay(world, alice)
    await settled(world)
    assert outcome.subscription_id is not None
    fake_clock(world).advance(timedelta(days=30))
    await world.stripe.fail_payment(outcome.subscription_id)
    await world.stripe.fail_payment(outcome.subscription_id)
    await settled(world)
    assert alice.has_role("Pro")
    await world.discord.wait_for(lambda: alice.dms)
    assert len(alice.dms) == 1 and "/billing" in alice.dms[0].content

    fake_clock(world).advance(timedelta(days=3, minutes=1))
    await world.service(BillingService).run_due_checks()
    await world.discord.wait_for(lambda: not alice.has_role("Pro"))
    assert len(alice.dms) == 1


async def test_cancel_at_period_end_revokes_when_the_period_ends(world: Community) -> None:
    alice = await world.guild.join("alice")
    outcome = await subscribe_and_pay(world, alice)
    await settled(world)
    assert outcome.subscription_id is not None
    await world.stripe.cancel_at_period_end(outcome.subscription_id)
    await settled(world)
    row = await entitlement(world, alice.id)
    assert row is not None and row.ends_at is not None and alice.has_role("Pro")
    fake_clock(world).set(row.ends_at + timedelta(seconds=1))
    await world.service(BillingService).run_due_checks()
    await world.discord.wait_for(lambda: not alice.has_role("Pro"))


async def test_refund_of_a_lifetime_purchase_revokes(world: Community) -> None:
    alice = await world.guild.join("alice")
    outcome = await subscribe_and_pay(world, alice, "lifetime")
    await settled(world)
    assert alice.has_role("Lifetime") and outcome.charge_id is not None
    await world.stripe.refund(outcome.charge_id)
    await settled(world)
    await world.discord.wait_for(lambda: not alice.has_role("Lifetime"))


async def test_dispute_revokes_and_tells_the_moderators(world: Community) -> None:
    alice = await world.guild.join("alice")
    outcome = await subscribe_and_pay(world, alice, "lifetime")
    await settled(world)
    assert outcome.charge_id is not None
    await world.stripe.dispute(outcome.charge_id)
    await settled(world)
    await world.discord.wait_for(lambda: not alice.has_role("Lifetime"))
    mod_log = world.channel("mod-log")
    await world.discord.wait_for(lambda: mod_log.messages)
    assert alice.mention in mod_log.messages[-1].content


async def test_discord_5xx_and_429_on_role_add_are_retried(world: Community) -> None:
    alice = await world.guild.join("alice")
    world.discord.faults.fail(PUT_ROLE, status=503, times=2)
    world.discord.faults.rate_limit(PUT_ROLE, retry_after=0.05, times=1)
    await subscribe_and_pay(world, alice)
    await world.stripe.webhooks.drain()
    await world.discord.wait_for(lambda: alice.has_role("Pro"))


async def test_missing_permission_is_reported_and_applied_once_fixed(world: Community) -> None:
    alice = await world.guild.join("alice")
    pro = world.tier_roles["pro"]
    low = pro.position
    pro.position = world.guild.bot_role.position + 1  # above the bot: Discord says 50013
    await subscribe_and_pay(world, alice)
    await world.stripe.webhooks.drain()
    mod_log = world.channel("mod-log")
    await world.discord.wait_for(lambda: mod_log.messages)
    assert "permission" in mod_log.messages[0].content
    pro.position = low
    await world.discord.wait_for(lambda: alice.has_role("Pro"))
    assert len(mod_log.messages) == 1


async def test_payment_before_joining_applies_on_join(world: Community) -> None:
    alice = await world.guild.join("alice")
    reply = await alice.run("/subscribe", tier="pro")
    await alice.leave()
    from tests.e2e.billing.billing_support import session_id_of

    await world.stripe.pay(session_id_of(reply))
    await settled(world)
    await world.guild.join(alice)
    await world.discord.wait_for(lambda: alice.has_role("Pro"))


async def test_leave_and_rejoin_gives_the_role_back(world: Community) -> None:
    alice = await world.guild.join("alice")
    await subscribe_and_pay(world, alice)
    await settled(world)
    assert alice.has_role("Pro")
    await alice.leave()
    await world.guild.join(alice)
    await world.discord.wait_for(lambda: alice.has_role("Pro"))


async def test_resync_leaves_a_role_given_by_hand(world: Community) -> None:
    bob = await world.guild.join("bob")
    await world.guild.give_role(bob, world.tier_roles["pro"])
    moderator = await world.moderator()
    reply = await moderator.run("/membership resync")
    assert reply.ephemeral and "everything matched" in " ".join(
        [reply.content, *(m.content for m in reply.followups)]
    )
    await world.service(BillingService).outbox.run_once()
    assert bob.has_role("Pro")


async def test_moderator_grants_and_looks_up(world: Community) -> None:
    bob = await world.guild.join("bob")
    moderator = await world.moderator()
    reply = await moderator.run("/membership grant", member=bob, tier="pro", until="30d")
    assert reply.ephemeral and "Granted" in reply.content
    await world.discord.wait_for(lambda: bob.has_role("Pro"))
    lookup = await moderator.run("/membership lookup", member=bob)
    assert "manual" in lookup.content and "active" in lookup.content
