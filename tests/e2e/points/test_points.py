"""Points with the real bot: earning, levels and their roles, boards, moderators' tools."""

from __future__ import annotations

from sqlmodel import select

from sandbox.community import Community
from storage.audit.models import AuditEntry
from tests.e2e.points.points_support import (
    accepted_answer,
    helper_with_level_role,
    level_role,
    roles_applied,
    unaccepted,
)


async def test_an_accepted_answer_earns_points_and_the_level_role(community: Community) -> None:
    helper = await level_role(community, 1, 10, "Helper")
    alice, bob = await community.guild.join("alice"), await community.guild.join("bob")

    await accepted_answer(community, alice, asker=bob)
    reply = await alice.run("/points show")
    await roles_applied(community)

    assert reply.ephemeral and "**17** points" in reply.content
    assert "Answer accepted" in reply.content and "Answered a question" in reply.content
    assert await community.discord.wait_for(lambda: alice.has_role(helper))


async def test_points_taken_back_take_the_level_role_away(community: Community) -> None:
    helper = await level_role(community, 1, 10, "Helper")
    alice, bob = await community.guild.join("alice"), await community.guild.join("bob")
    question, message = await accepted_answer(community, alice, asker=bob)
    await roles_applied(community)
    assert await community.discord.wait_for(lambda: alice.has_role(helper))

    await unaccepted(community, alice, question, message)
    await roles_applied(community)

    assert await community.discord.wait_for(lambda: not alice.has_role(helper))
    reply = await alice.run("/points show")
    assert "**2** points" in reply.content and "taken back" in reply.content


async def test_a_member_who_leaves_and_comes_back_gets_the_level_role_back(
    community: Community,
) -> None:
    helper, alice = await helper_with_level_role(community)

    await alice.leave()
    await community.discord.wait_for_event("GUILD_MEMBER_REMOVE")
    back = await community.guild.join(alice)
    await roles_applied(community)

    assert await community.discord.wait_for(lambda: back.has_role(helper))


async def test_giving_a_level_a_new_role_moves_the_members_already_there(
    community: Community,
) -> None:
    helper, alice = await helper_with_level_role(community)

    mentor = await level_role(community, 1, 10, "Mentor")
    await roles_applied(community)

    assert await community.discord.wait_for(
        lambda: alice.has_role(mentor) and not alice.has_role(helper)
    )


async def test_raising_a_threshold_takes_the_level_role_from_members_below_it(
    community: Community,
) -> None:
    helper, alice = await helper_with_level_role(community)

    reply = await community.owner.run("/points level", number=1, threshold=50)
    await roles_applied(community)

    assert "1 member changes level" in reply.content, reply.content
    assert await community.discord.wait_for(lambda: not alice.has_role(helper))


async def test_an_anonymous_member_shows_as_anonymous_on_the_board(community: Community) -> None:
    alice, bob = await community.guild.join("alice"), await community.guild.join("bob")
    await accepted_answer(community, alice, asker=bob)

    hidden = await alice.run("/profile leaderboard hide")
    board = await bob.run("/leaderboard", period="all")

    assert hidden.ephemeral and "anonymous" in hidden.content
    assert "1. anonymous — 17" in board.content and alice.mention not in board.content
    assert "You have no points" in board.content


async def test_a_moderators_adjustment_is_audited_and_in_the_members_history(
    community: Community,
) -> None:
    alice = await community.guild.join("alice")
    mod = await community.moderator()

    reply = await mod.run("/points adjust", member=alice, delta=25, reason="ran the workshop")

    assert reply.ephemeral and "25 points" in reply.content
    history = await alice.run("/points show")
    assert "Moderator adjustment" in history.content and "ran the workshop" in history.content
    async with community.db.read() as session:
        actions = [
            (a.action, a.target_user_id) for a in (await session.exec(select(AuditEntry))).all()
        ]
    assert ("points.adjust", alice.id) in actions


async def test_a_rescore_is_previewed_then_applied_on_confirm(community: Community) -> None:
    alice, bob = await community.guild.join("alice"), await community.guild.join("bob")
    mod = await community.moderator()
    await accepted_answer(community, alice, asker=bob)

    preview = await mod.run("/points rescore", rule="answer_accepted", weight=30)
    before = await alice.run("/points show")
    applied = await mod.click(preview, "Apply")
    after = await alice.run("/points show")

    assert preview.ephemeral and "preview" in preview.content and "17 → 32" in preview.content
    assert "**17** points" in before.content
    assert "Re-scored" in applied.content
    assert "**32** points" in after.content and "re-scored" in after.content


async def test_a_member_cannot_adjust_or_rescore(community: Community) -> None:
    alice, bob = await community.guild.join("alice"), await community.guild.join("bob")

    adjust = await alice.run("/points adjust", member=bob, delta=5, reason="please")
    rescore = await alice.run("/points rescore", rule="answer_posted", weight=9)

    assert adjust.ephemeral and "Only moderators" in adjust.content
    assert rescore.ephemeral and "Only moderators" in rescore.content
    assert "**0** points" in (await bob.run("/points show")).content
