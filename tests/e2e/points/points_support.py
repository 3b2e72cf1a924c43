"""Helpers for the points end-to-end tests: events published on the bot's own bus."""

from __future__ import annotations

from itertools import count

from bot.core.events import AnswerAccepted, AnswerPosted, AnswerUnaccepted, QuestionAsked
from bot.services.roles import RoleService
from sandbox.community import Community
from sandbox.discord import Person, Role

_ids = count(90_000)


async def accepted_answer(world: Community, answerer: Person, asker: Person) -> tuple[int, int]:
    """Q&A's events for a question of `asker` answered by `answerer` and accepted:
    (question id, answer message id)."""
    question, message = next(_ids), next(_ids)
    now, guild, bus = world.clock.now(), world.guild.id, world.app.context.bus
    await bus.publish(QuestionAsked(guild, now, question, asker.id))
    await bus.publish(AnswerPosted(guild, now, question, answerer.id, message))
    await bus.publish(AnswerAccepted(guild, now, question, asker.id, answerer.id, message))
    return question, message


async def unaccepted(world: Community, answerer: Person, question: int, message: int) -> None:
    """Q&A's event for an acceptance taken back."""
    await world.app.context.bus.publish(
        AnswerUnaccepted(world.guild.id, world.clock.now(), question, answerer.id, message)
    )


async def level_role(world: Community, number: int, threshold: int, name: str) -> Role:
    """A moderator gives level `number` a threshold and a new role."""
    role = world.guild.create_role(name)
    reply = await world.owner.run(
        "/points level", number=number, name=name, threshold=threshold, role=role
    )
    assert reply.ephemeral and reply.content.startswith("Saved"), reply.content
    return role


async def roles_applied(world: Community) -> None:
    """The role outbox emptied once."""
    await world.service(RoleService).outbox.run_once()


async def helper_with_level_role(world: Community) -> tuple[Role, Person]:
    """Alice's answer to Bob is accepted (17 points): she holds level 1's @Helper role."""
    helper = await level_role(world, 1, 10, "Helper")
    alice, bob = await world.guild.join("alice"), await world.guild.join("bob")
    await accepted_answer(world, alice, asker=bob)
    await roles_applied(world)
    assert await world.discord.wait_for(lambda: alice.has_role(helper))
    return helper, alice
