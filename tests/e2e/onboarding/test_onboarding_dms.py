"""The welcome DM, the DM opt-out every feature honours, campaigns and the member's profile."""

from __future__ import annotations

from sqlmodel import select

from bot.services.roles import RoleService
from sandbox.community import Community
from storage.audit.models import AuditEntry
from storage.notices import queries as notices
from storage.notices.models import BillingNotice, NoticeStatus
from tests.e2e.onboarding.onboarding_support import gate_on, seen, welcome_posts


async def welcome_dm_on(world: Community) -> None:
    reply = await world.owner.run("/setup onboarding", gate=False, welcome_dm=True)
    assert reply.ephemeral and "Welcome DM: on" in reply.content, reply.content


async def test_the_welcome_dm_is_sent_once_when_the_member_is_in(community: Community) -> None:
    await community.owner.run("/setup onboarding", welcome_dm=True)
    gate = await gate_on(community)
    alice = await community.guild.join("alice")
    await seen(community, alice)
    assert alice.dms == []

    await alice.click(gate, "I agree")
    await community.discord.wait_for(lambda: alice.dms)
    await alice.leave()
    await community.guild.join(alice)
    await seen(community, alice, rejoins=1)
    await community.discord.wait_for(lambda: len(welcome_posts(community, alice)) == 2)

    assert len(alice.dms) == 1
    assert all(command in alice.dms[0].content for command in ("/library", "/ask", "/subscribe"))


async def test_no_welcome_dm_unless_the_guild_enables_it(community: Community) -> None:
    await community.owner.run("/setup onboarding", gate=False)

    alice = await community.guild.join("alice")
    await community.discord.wait_for(lambda: welcome_posts(community, alice))

    assert alice.dms == []


async def test_closed_dms_are_logged_and_the_member_is_still_welcomed(
    community: Community,
) -> None:
    await welcome_dm_on(community)
    bob = await community.guild.join("bob")
    bob.dms_open = False  # before the bot DMs: Discord answers 403 50007

    await community.discord.wait_for(lambda: welcome_posts(community, bob))
    refused = await community.discord.wait_for(
        lambda: [
            c
            for c in community.discord.calls.filter("POST /channels/{channel_id}/messages")
            if c.status == 403
        ]
    )

    assert len(refused) == 1 and bob.dms == []
    assert len(welcome_posts(community, bob)) == 1


async def test_a_member_who_turned_dms_off_gets_no_welcome_dm(community: Community) -> None:
    await community.owner.run("/setup onboarding", welcome_dm=True)
    gate = await gate_on(community)
    alice = await community.guild.join("alice")
    await seen(community, alice)

    off = await alice.run("/profile dms", state="off")
    await alice.click(gate, "I agree")
    await community.discord.wait_for(lambda: welcome_posts(community, alice))

    assert off.ephemeral and "will not send you direct messages" in off.content
    assert alice.dms == []


async def test_other_features_dms_honour_the_opt_out(community: Community) -> None:
    alice = await community.guild.join("alice")
    await alice.run("/profile dms", state="off")
    async with community.db.transaction() as session:
        queued = await notices.queue_notice(
            session,
            community.guild.id,
            "dm",
            "Your payment failed: run /billing.",
            at=community.clock.now(),
            user_id=alice.id,
        )
    await community.service(RoleService).outbox.run_once()

    async with community.db.read() as session:
        row = await session.get(BillingNotice, queued.id)
    assert alice.dms == []
    assert row is not None and row.status == NoticeStatus.DONE
    assert row.last_error is not None and "direct messages off" in row.last_error


async def test_turning_dms_back_on_lets_them_through(community: Community) -> None:
    alice = await community.guild.join("alice")
    await alice.run("/profile dms", state="off")
    on = await alice.run("/profile dms", state="on")
    async with community.db.transaction() as session:
        await notices.queue_notice(
            session, community.guild.id, "dm", "Receipt", at=community.clock.now(), user_id=alice.id
        )
    await community.service(RoleService).outbox.run_once()

    assert on.ephemeral
    await community.discord.wait_for(lambda: alice.dms)


async def test_a_moderator_names_an_invite_as_a_campaign_audited(community: Community) -> None:
    reply = await community.owner.run("/setup invite", code="discord.gg/spring", campaign="Spring")
    show = await community.owner.run("/setup show")

    assert reply.ephemeral and reply.content.startswith("Saved")
    assert "`spring` → **Spring**" in show.content
    async with community.db.read() as session:
        actions = [row.action for row in (await session.exec(select(AuditEntry))).all()]
    assert actions == ["onboarding.invite_name"]


async def test_a_non_moderator_cannot_name_campaigns(community: Community) -> None:
    helpers = community.guild.create_role("Helpers")
    community.guild.allow_command("setup", helpers)
    bob = await community.guild.join("bob")
    await community.guild.give_role(bob, helpers)

    reply = await bob.run("/setup invite", code="spring", campaign="Spring")

    assert reply.ephemeral and "Only moderators" in reply.content
    show = await community.owner.run("/setup show")
    assert "Campaigns:\nnone" in show.content


async def test_profile_shows_the_tier_and_never_the_source(community: Community) -> None:
    await community.owner.run("/setup invite", code="spring", campaign="Spring")
    alice = await community.guild.join("alice")
    await community.owner.run("/membership grant", member=alice, tier="lifetime")

    reply = await alice.run("/profile show")

    assert reply.ephemeral
    assert "Tier: Lifetime" in reply.content
    assert "spring" not in reply.content.lower() and "unknown" not in reply.content.lower()
    assert "Points: 0 · level 0" in reply.content
