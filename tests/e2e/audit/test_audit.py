"""The audit trail through the real bot: /audit for moderators, every entry in the mod log."""

from __future__ import annotations

from bot.core.access import MODERATORS
from bot.services.audit import AuditService
from sandbox.community import Community
from sandbox.discord import Message

CREATE_MESSAGE = "POST /channels/{channel_id}/messages"


def mod_log_lines(world: Community) -> list[Message]:
    return [m for m in world.channel("mod-log").messages if m.content.startswith("🛡️")]


async def test_a_moderator_action_is_posted_once_to_the_moderators_log(
    community: Community,
) -> None:
    mod = await community.moderator()
    bob = await community.guild.join("bob")
    await mod.run("/membership grant", member=bob, tier="pro", until="30d")

    audit = community.service(AuditService)
    await audit.post_pending()
    await audit.post_pending()

    lines = mod_log_lines(community)
    assert len(lines) == 1
    assert "`membership.grant`" in lines[0].content
    assert mod.mention in lines[0].content and bob.mention in lines[0].content


async def test_the_moderators_log_post_pings_nobody(community: Community) -> None:
    mod = await community.moderator()
    bob = await community.guild.join("bob")
    await mod.run("/membership grant", member=bob, tier="pro")

    await community.service(AuditService).post_pending()

    posts = [c for c in community.discord.calls if c.route == CREATE_MESSAGE and c.status == 200]
    assert posts and all(c.json["allowed_mentions"]["parse"] == [] for c in posts)


async def test_an_entry_whose_post_failed_is_posted_on_the_next_round(
    community: Community,
) -> None:
    mod = await community.moderator()
    bob = await community.guild.join("bob")
    await mod.run("/membership grant", member=bob, tier="pro")
    audit = community.service(AuditService)
    community.discord.faults.fail(CREATE_MESSAGE, status=503, times=None)

    assert await audit.post_pending() == 0

    community.discord.faults.clear()
    assert await audit.post_pending() == 1
    assert len(mod_log_lines(community)) == 1


async def test_moderators_read_the_trail_filtered_by_member(community: Community) -> None:
    mod = await community.moderator()
    bob = await community.guild.join("bob")
    carol = await community.guild.join("carol")
    await mod.run("/membership grant", member=bob, tier="pro")
    await mod.run("/membership grant", member=carol, tier="pro")

    reply = await mod.run("/audit", member=carol)

    assert reply.ephemeral
    assert carol.mention in reply.content and bob.mention not in reply.content


async def test_moderators_read_the_trail_filtered_by_action(community: Community) -> None:
    mod = await community.moderator()
    bob = await community.guild.join("bob")
    await mod.run("/membership grant", member=bob, tier="pro")
    await mod.run("/membership revoke", member=bob, tier="pro")

    reply = await mod.run("/audit", action="membership.revoke")

    assert "`membership.revoke`" in reply.content and "`membership.grant`" not in reply.content


async def test_a_plain_member_is_refused_the_audit_trail_privately(community: Community) -> None:
    mod = await community.moderator()
    bob = await community.guild.join("bob")
    await mod.run("/membership grant", member=bob, tier="pro")

    # An admin let everyone see /audit in the Integrations settings: the bot checks again.
    community.guild.allow_command("audit", community.guild.role("@everyone"))
    reply = await bob.run("/audit")

    assert reply.ephemeral and reply.content == MODERATORS.refusal
