"""Helpers for the onboarding end-to-end tests."""

from __future__ import annotations

from bot.services.onboarding import OnboardingService
from bot.services.roles import RoleService
from sandbox.community import Community
from sandbox.discord import Message, Person, Role
from storage.onboarding import queries
from storage.onboarding.models import OnboardingMember


async def onboarding_row(world: Community, user_id: int) -> OnboardingMember | None:
    """The member's onboarding row."""
    async with world.db.read() as session:
        return await queries.member(session, world.guild.id, user_id)


async def seen(world: Community, person: Person, *, rejoins: int = 0) -> OnboardingMember:
    """Wait until onboarding handled the person's (re)join."""

    async def handled() -> OnboardingMember | None:
        row = await onboarding_row(world, person.id)
        return row if row is not None and row.in_guild and row.rejoins == rejoins else None

    return await world.discord.wait_for(handled)


async def roles_applied(world: Community) -> None:
    """The role outbox emptied once, and the welcomes in flight were posted."""
    await world.service(RoleService).outbox.run_once()
    await world.service(OnboardingService).welcomes_done(grace=10.0)


async def has_role_soon(world: Community, person: Person, role: Role | str) -> bool:
    """Wait (bounded) until the person holds the role."""
    await roles_applied(world)
    held = bool(await world.discord.wait_for(lambda: person.has_role(role)))
    await world.service(OnboardingService).welcomes_done(grace=10.0)  # posted in the background
    return held


def welcome_posts(world: Community, person: Person) -> list[Message]:
    """Bot posts in #welcome that mention the person."""
    return [m for m in world.channel("welcome").messages if person.mention in m.content]


async def gate_on(world: Community) -> Message:
    """The owner turns Lyceum's gate on; the one gate message in #welcome."""
    reply = await world.owner.run("/setup onboarding", gate=True)
    assert reply.ephemeral and reply.content.startswith("Saved"), reply.content
    return await world.discord.wait_for(lambda: gate_message(world))


async def onboarding_on(world: Community) -> None:
    """The owner sets onboarding up without Lyceum's gate (the config's role and channel)."""
    reply = await world.owner.run("/setup onboarding", gate=False)
    assert reply.ephemeral and reply.content.startswith("Saved"), reply.content


def gate_message(world: Community) -> Message | None:
    """The gate message (the one with the "I agree" button), if posted."""
    found = [m for m in world.channel("welcome").messages if "I agree" in str(m.components)]
    return found[0] if found else None
