"""The demo's points scene: help earns points, a level role follows, the board shows it.

A moderator gives level 2 a role before the Q&A scene; the points come from that scene's
real answers and marks (the Q&A feature's events), not from anything staged here.
"""

from __future__ import annotations

from bot.services.roles import RoleService
from sandbox.community import Community
from sandbox.demo.transcript import Transcript

HELPER_THRESHOLD = 15  # an accepted answer (+15) plus answering (+2) reaches it


async def prepare_points(world: Community, transcript: Transcript) -> None:
    """Level 2 ("Helper") needs 15 points and gives the @Helper role."""
    guild = world.guild
    dana = await world.moderator("dana")
    helper = guild.create_role("Helper")
    await dana.run("/points level", number=2, threshold=HELPER_THRESHOLD, role=helper)
    transcript.say(
        f"dana (moderator) ran /points level number:2 threshold:{HELPER_THRESHOLD} role:@Helper"
    )


async def play_points_scene(world: Community, transcript: Transcript) -> None:
    """The level role the Q&A scene earned, an adjustment, /points and /leaderboard."""
    guild = world.guild
    alice, bob, carol = guild.person("alice"), guild.person("bob"), guild.person("carol")
    dana = guild.person("dana")
    helper = guild.role("Helper")
    await world.service(RoleService).outbox.run_once()
    await world.discord.wait_for(lambda: bob.has_role(helper), timeout=10)
    transcript.say(
        "bob answered alice's question (+2) and she marked it (+15) → bob reached level 2 "
        "and got the @Helper role"
    )

    await carol.run("/profile leaderboard hide")
    adjust = await dana.run("/points adjust", member=carol, delta=8, reason="ran the welcome call")
    transcript.say(
        f"carol hid from the boards; dana ran /points adjust carol +8 → {adjust.content!r}"
    )

    mine = await bob.run("/points show")
    transcript.say("bob ran /points show → (private)")
    transcript.detail(mine.content)
    board = await alice.run("/leaderboard", period="all")
    transcript.say("alice ran /leaderboard period:all → (private)")
    transcript.detail(board.content)
