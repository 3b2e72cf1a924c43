"""Interests, /start, /profile and rejoining, with the real bot."""

from __future__ import annotations

from sandbox.community import Community
from sandbox.discord import Person, Reply
from tests.e2e.onboarding.onboarding_support import (
    has_role_soon,
    onboarding_on,
    roles_applied,
    seen,
    welcome_posts,
)


def interests_id(world: Community) -> str:
    return f"lyceum:onboarding:interests:{world.guild.id}"


async def with_topics(world: Community) -> None:
    """The owner sets onboarding up (no gate) and offers two topics, each with its role."""
    await onboarding_on(world)
    for key, name in (("python", "Python"), ("career", "Career")):
        role = world.guild.create_role(name)
        reply = await world.owner.run("/setup topic", key=key, label=name, role=role)
        assert reply.ephemeral and reply.content.startswith("Saved"), reply.content


async def member_in(world: Community, name: str = "alice") -> Person:
    person = await world.guild.join(name)
    await seen(world, person)
    assert await has_role_soon(world, person, "Member")
    return person


async def pick(world: Community, person: Person, keys: list[str]) -> Reply:
    menu = await person.run("/profile interests")
    assert menu.ephemeral
    return await person.select(menu, interests_id(world), keys)


async def test_picking_interests_gives_their_roles(community: Community) -> None:
    await with_topics(community)
    alice = await member_in(community)

    reply = await pick(community, alice, ["python", "career"])

    assert reply.ephemeral and "`career`, `python`" in reply.content
    assert await has_role_soon(community, alice, "Python")
    assert alice.has_role("Career")


async def test_changing_interests_later_takes_the_dropped_role(community: Community) -> None:
    await with_topics(community)
    alice = await member_in(community)
    await pick(community, alice, ["python", "career"])
    assert await has_role_soon(community, alice, "Career")

    await pick(community, alice, ["python"])
    await roles_applied(community)

    await community.discord.wait_for(lambda: not alice.has_role("Career"))
    assert alice.has_role("Python")


async def test_rejoin_brings_interest_and_member_roles_back_with_welcome_back(
    community: Community,
) -> None:
    await with_topics(community)
    alice = await member_in(community)
    await pick(community, alice, ["python"])
    assert await has_role_soon(community, alice, "Python")

    await alice.leave()
    await community.discord.wait_for_event("GUILD_MEMBER_REMOVE")
    back = await community.guild.join(alice)
    await seen(community, back, rejoins=1)

    assert await has_role_soon(community, back, "Python")
    assert await has_role_soon(community, back, "Member")
    posts = welcome_posts(community, back)
    assert len(posts) == 2 and "Welcome back" in posts[-1].content


async def test_start_offers_the_gate_button_to_who_has_not_agreed(community: Community) -> None:
    await community.owner.run("/setup onboarding", gate=True)
    alice = await community.guild.join("alice")
    await seen(community, alice)

    start = await alice.run("/start")
    agreed = await alice.click(start, "I agree")

    assert start.ephemeral and "I agree" in start.content
    assert "you're in" in agreed.content.lower()
    assert await has_role_soon(community, alice, "Member")


async def test_profile_shows_the_member_their_own_status(community: Community) -> None:
    await with_topics(community)
    alice = await member_in(community)
    await pick(community, alice, ["career"])

    reply = await alice.run("/profile show")

    assert reply.ephemeral
    assert "Member since" in reply.content and "`career`" in reply.content
