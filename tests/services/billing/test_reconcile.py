"""Reconcile: Stripe vs entitlements vs roles, and what it must leave alone."""

from __future__ import annotations

from datetime import timedelta

from storage.audit import queries as audit
from storage.billing import queries
from tests.services.billing.support import (
    GUILD,
    MOD,
    PRO_ROLE,
    Billing,
    buy,
    entitlement_of,
)

USER = 900


async def test_subscription_canceled_without_a_webhook_is_revoked(billing: Billing) -> None:
    billing.discord.join(USER)
    outcome = await buy(billing, USER)
    await billing.settle()
    assert outcome.subscription_id is not None
    billing.clock.advance(timedelta(hours=1))
    with billing.stripe.silent():
        await billing.stripe.cancel_now(outcome.subscription_id)
    report = await billing.service.resync(GUILD, MOD)
    await billing.service.outbox.run_once()
    row = await entitlement_of(billing.db, USER)
    assert row is not None and not row.active and row.status == "canceled"
    assert PRO_ROLE not in billing.discord.roles_of(USER)
    assert any("revoked" in change for change in report.changes)


async def test_paid_role_removed_by_hand_comes_back(billing: Billing) -> None:
    billing.discord.join(USER)
    await buy(billing, USER)
    await billing.settle()
    billing.discord.members[(GUILD, USER)].discard(PRO_ROLE)
    report = await billing.service.resync(GUILD, MOD)
    await billing.service.outbox.run_once()
    assert PRO_ROLE in billing.discord.roles_of(USER)
    assert report.changes == [f"gave <@{USER}> <@&{PRO_ROLE}> back"]


async def test_role_given_by_hand_is_untouched_by_resync(billing: Billing) -> None:
    billing.discord.join(USER)
    billing.discord.members[(GUILD, USER)].add(PRO_ROLE)
    report = await billing.service.resync(GUILD, MOD)
    await billing.service.outbox.run_once()
    assert PRO_ROLE in billing.discord.roles_of(USER)
    assert report.changes == []


async def test_bot_given_role_without_access_is_taken_back(billing: Billing) -> None:
    billing.discord.join(USER)
    outcome = await buy(billing, USER)
    await billing.settle()
    assert outcome.subscription_id is not None
    async with billing.db.transaction() as session:  # access ended, but the role stayed
        row = await queries.entitlement(session, GUILD, USER, "pro", "stripe")
        assert row is not None
        row.active, row.status = False, "canceled"
        session.add(row)
    with billing.stripe.silent():
        await billing.stripe.cancel_now(outcome.subscription_id)
    await billing.service.resync(GUILD, MOD)
    await billing.service.outbox.run_once()
    assert PRO_ROLE not in billing.discord.roles_of(USER)


async def test_resync_is_audited(billing: Billing) -> None:
    await billing.service.resync(GUILD, MOD)
    async with billing.db.read() as session:
        entries = await audit.audit_entries(session, GUILD)
    assert [(e.action, e.actor_id) for e in entries] == [("membership.resync", MOD.user_id)]


async def test_resync_applies_a_payment_whose_members_join_was_missed(billing: Billing) -> None:
    await buy(billing, USER)
    await billing.settle()  # the member is not in the server yet: the grant waits
    billing.discord.join(USER)  # ...and joins while the bot is offline: no on_member_join
    report = await billing.service.resync(GUILD, MOD)
    await billing.service.outbox.run_once()
    assert PRO_ROLE in billing.discord.roles_of(USER)
    assert report.changes == [f"applied 1 role change(s) that waited for <@{USER}> to join"]


async def test_reconnecting_applies_changes_waiting_for_members_who_are_here(
    billing: Billing,
) -> None:
    await buy(billing, USER)
    await billing.settle()
    billing.discord.join(USER)
    assert await billing.service.wake_waiting_members() == 1
    await billing.service.outbox.run_once()
    assert PRO_ROLE in billing.discord.roles_of(USER)
