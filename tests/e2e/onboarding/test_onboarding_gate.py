"""The rules gate and the welcome, with the real bot: members are welcomed once really in."""

from __future__ import annotations

import asyncio
from typing import Any

from bot.core.events import MemberOnboarded
from bot.core.kinds import Kind
from bot.services.onboarding import AgreeResult, OnboardingService
from bot.services.roles import RoleService
from sandbox.community import Community
from tests.e2e.helpers import eventually_logged
from tests.e2e.onboarding.onboarding_support import (
    gate_message,
    gate_on,
    has_role_soon,
    onboarding_on,
    roles_applied,
    seen,
    welcome_posts,
)


async def test_turning_the_gate_on_posts_one_i_agree_message(community: Community) -> None:
    await gate_on(community)
    again = await community.owner.run("/setup onboarding", gate=True)

    assert again.ephemeral
    gates = [m for m in community.channel("welcome").messages if "I agree" in str(m.components)]
    assert len(gates) == 1


async def test_join_then_agree_gives_the_member_role_and_then_the_welcome(
    community: Community,
) -> None:
    gate = await gate_on(community)
    alice = await community.guild.join("alice")
    await seen(community, alice)
    await roles_applied(community)
    assert not alice.has_role("Member")
    assert welcome_posts(community, alice) == []

    reply = await alice.click(gate, "I agree")

    assert reply.ephemeral and "you're in" in reply.content.lower()
    assert await has_role_soon(community, alice, "Member")
    assert len(welcome_posts(community, alice)) == 1
    assert await eventually_logged(community, kind=Kind.ONBOARDED, user_id=alice.id)


async def test_agreeing_twice_welcomes_once(community: Community) -> None:
    gate = await gate_on(community)
    alice = await community.guild.join("alice")
    await seen(community, alice)

    await alice.click(gate, "I agree")
    second = await alice.click(gate, "I agree")

    assert "already" in second.content
    assert len(welcome_posts(community, alice)) == 1


async def test_agreeing_publishes_member_onboarded(community: Community) -> None:
    published: list[MemberOnboarded] = []

    async def remember(event: MemberOnboarded) -> None:
        published.append(event)

    community.app.context.bus.subscribe(MemberOnboarded, remember)
    gate = await gate_on(community)
    alice = await community.guild.join("alice")
    await seen(community, alice)

    await alice.click(gate, "I agree")

    assert [(e.guild_id, e.user_id) for e in published] == [(community.guild.id, alice.id)]


async def test_before_setup_a_join_changes_nothing(community: Community) -> None:
    alice = await community.guild.join("alice")
    await seen(community, alice)
    await roles_applied(community)

    assert not alice.has_role("Member") and welcome_posts(community, alice) == []


async def test_without_the_gate_a_member_is_welcomed_on_join(community: Community) -> None:
    await onboarding_on(community)
    alice = await community.guild.join("alice")

    assert await has_role_soon(community, alice, "Member")
    assert len(welcome_posts(community, alice)) == 1
    assert gate_message(community) is None


async def test_a_member_discord_says_rejoined_is_welcomed_back_and_counted(
    community: Community,
) -> None:
    await onboarding_on(community)
    alice = community.discord.state.new_user("alice")
    community.guild.model.former_member_ids.add(alice.id)  # a member before Lyceum came

    back = await community.guild.join(alice)
    await seen(community, back, rejoins=1)

    assert await has_role_soon(community, back, "Member")
    posts = welcome_posts(community, back)
    assert len(posts) == 1 and "Welcome back" in posts[0].content


async def test_pending_screening_holds_the_welcome_until_passed(community: Community) -> None:
    await onboarding_on(community)
    community.guild.use_screening()
    alice = await community.guild.join("alice")
    await seen(community, alice)
    await roles_applied(community)
    assert welcome_posts(community, alice) == [] and not alice.has_role("Member")

    await alice.pass_screening()

    assert await has_role_soon(community, alice, "Member")
    await community.discord.wait_for(lambda: welcome_posts(community, alice))
    assert len(welcome_posts(community, alice)) == 1


async def test_native_onboarding_completed_welcomes_without_the_gate(
    community: Community,
) -> None:
    await onboarding_on(community)
    community.guild.use_screening()  # Discord holds new members until they are through
    alice = await community.guild.join("alice")
    await seen(community, alice)
    await alice.start_onboarding()
    assert welcome_posts(community, alice) == []
    await alice.pass_screening()
    await roles_applied(community)
    assert welcome_posts(community, alice) == [] and not alice.has_role("Member")

    await alice.complete_onboarding()
    await alice.complete_onboarding()

    assert await has_role_soon(community, alice, "Member")
    await community.discord.wait_for(lambda: welcome_posts(community, alice))
    assert len(welcome_posts(community, alice)) == 1


async def test_a_pending_member_cannot_click_past_screening(community: Community) -> None:
    gate = await gate_on(community)
    community.guild.use_screening()
    alice = await community.guild.join("alice")
    await seen(community, alice)

    reply = await alice.click(gate, "I agree")

    assert reply.ephemeral and "screening" in reply.content
    await roles_applied(community)
    assert not alice.has_role("Member") and welcome_posts(community, alice) == []


async def test_bot_role_below_the_member_role_is_one_mod_log_line_then_works_once_fixed(
    community: Community,
) -> None:
    await onboarding_on(community)
    member_role = community.guild.role("Member")
    low = member_role.position
    member_role.position = community.guild.bot_role.position + 1  # Discord says 50013
    alice = await community.guild.join("alice")
    bob = await community.guild.join("bob")
    await seen(community, alice)
    await seen(community, bob)
    mod_log = community.channel("mod-log")
    await community.discord.wait_for(lambda: mod_log.messages)

    member_role.position = low
    community.service(RoleService).retry_now()

    await community.discord.wait_for(lambda: alice.has_role("Member") and bob.has_role("Member"))
    assert len(mod_log.messages) == 1
    assert "Member" in mod_log.messages[0].content or "permission" in mod_log.messages[0].content


async def test_a_slow_agree_is_deferred_then_answered(community: Community) -> None:
    gate = await gate_on(community)
    alice = await community.guild.join("alice")
    await seen(community, alice)
    service = community.service(OnboardingService)
    release = asyncio.Event()
    agree = service.agree

    async def held(*args: Any, **kwargs: Any) -> AgreeResult:
        await release.wait()  # the database is busy (a join wave)
        return await agree(*args, **kwargs)

    service.agree = held  # type: ignore[method-assign]
    clicking = asyncio.create_task(alice.click(gate, "I agree", timeout=10))
    await community.discord.wait_for(
        lambda: any(i.response_type == 5 for i in community.discord.state.interactions.values())
    )
    release.set()
    reply = await clicking

    assert reply.deferred and "you're in" in reply.content.lower()
