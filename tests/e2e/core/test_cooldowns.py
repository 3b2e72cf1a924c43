"""A member spamming commands is slowed, privately, while everyone else stays served."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from sandbox.community import Community, running_community

SLOWED = "Slow down a little"


@pytest.fixture
async def tight(tmp_path: Path, database_url: str) -> AsyncIterator[Community]:
    """A community where a member may run three commands a minute."""
    budget = {"discord": {"member_commands_per_minute": 3}}
    async with running_community(tmp_path, database_url=database_url, overrides=budget) as world:
        yield world


async def test_a_member_over_their_budget_is_asked_privately_to_slow_down(
    tight: Community,
) -> None:
    alice = await tight.guild.join("alice")
    for _ in range(3):
        assert not (await alice.run("/help")).content.startswith(SLOWED)

    reply = await alice.run("/help")

    assert reply.ephemeral and reply.content.startswith(SLOWED)


async def test_another_member_is_served_while_one_is_slowed(tight: Community) -> None:
    alice = await tight.guild.join("alice")
    bob = await tight.guild.join("bob")
    for _ in range(4):
        await alice.run("/help")

    reply = await bob.run("/help")

    assert not reply.content.startswith(SLOWED)
