"""/subscribe → Checkout → signed webhooks → the paid role, with the real bot."""

from __future__ import annotations

import time

from sandbox.community import Community
from tests.e2e.billing.billing_support import entitlement, session_id_of, settled, subscribe_and_pay


async def test_subscribe_answers_privately_with_a_checkout_link(community: Community) -> None:
    alice = await community.guild.join("alice")
    reply = await alice.run("/subscribe", tier="pro")
    assert reply.ephemeral
    session = community.stripe.get(session_id_of(reply))
    assert session["client_reference_id"] == f"{community.guild.id}:{alice.id}"
    assert session["metadata"]["tier"] == "pro"


async def test_subscribe_autocompletes_the_tiers(community: Community) -> None:
    alice = await community.guild.join("alice")
    choices = await alice.autocomplete("/subscribe", "tier", "li")
    assert [(c["name"], c["value"]) for c in choices] == [("Lifetime", "lifetime")]


async def test_checkout_gives_the_role_within_a_second(community: Community) -> None:
    alice = await community.guild.join("alice")
    reply = await alice.run("/subscribe", tier="pro")
    started = time.monotonic()
    await community.stripe.pay(session_id_of(reply))
    await community.discord.wait_for(lambda: alice.has_role("Pro"), timeout=1.0)
    assert time.monotonic() - started < 1.0


async def test_checkout_redelivered_five_times_grants_once(community: Community) -> None:
    alice = await community.guild.join("alice")
    outcome = await subscribe_and_pay(community, alice)
    await settled(community)
    for event in outcome.events:
        for _ in range(5):
            community.stripe.webhooks.redeliver(event["id"])
    await settled(community)
    role_puts = [call for call in community.discord.calls
                 if call.method == "PUT" and "/roles/" in call.path]  # fmt: skip
    assert len(role_puts) == 1
    assert alice.has_role("Pro")


async def test_unknown_tier_gets_a_plain_private_answer(community: Community) -> None:
    alice = await community.guild.join("alice")
    reply = await alice.run("/subscribe", tier="platinum")
    assert reply.ephemeral and "no tier called" in reply.content


async def test_billing_without_a_purchase_gets_a_plain_answer(community: Community) -> None:
    alice = await community.guild.join("alice")
    reply = await alice.run("/billing")
    assert reply.ephemeral and "/subscribe" in reply.content


async def test_billing_after_a_purchase_links_the_portal(community: Community) -> None:
    alice = await community.guild.join("alice")
    await subscribe_and_pay(community, alice, "lifetime")
    await settled(community)
    row = await entitlement(community, alice.id, "lifetime")
    assert row is not None and row.active
    reply = await alice.run("/billing")
    assert reply.ephemeral and any(b.get("url") for b in reply.buttons)


async def test_setup_tiers_lists_and_adds_tiers(community: Community) -> None:
    owner = community.owner
    listing = await owner.run("/setup tiers")
    assert listing.ephemeral and "`pro`" in listing.content and "`lifetime`" in listing.content
    team = community.guild.create_role("Team")
    saved = await owner.run(
        "/setup tiers", key="team", name="Team", price_id="price_team", role=team,
        kind="subscription",
    )  # fmt: skip
    assert "Saved" in saved.content
    alice = await community.guild.join("alice")
    choices = await alice.autocomplete("/subscribe", "tier", "te")
    assert [c["value"] for c in choices] == ["team"]
