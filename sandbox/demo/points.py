"""The demo's points scene: help earns points, a level role follows, the board shows it.

Q&A is not in this build, so its events are published on the bot's bus as Q&A will
publish them once it is (after its own commits).
"""

from __future__ import annotations

from bot.core.events import AnswerAccepted, AnswerPosted, MemberOnboarded, QuestionAsked
from bot.services.roles import RoleService
from sandbox.community import Community
from sandbox.demo.transcript import Transcript

QUESTION, ANSWER = 424_242, 434_343


async def play_points_scene(world: Community, transcript: Transcript) -> None:
    """A level with a role, an accepted answer, an adjustment, /points and /leaderboard."""
    guild, bus, now = world.guild, world.app.context.bus, world.clock.now()
    alice, bob, carol = guild.person("alice"), guild.person("bob"), guild.person("carol")
    dana = guild.person("dana")
    helper = guild.create_role("Helper")
    await dana.run("/points level", number=2, role=helper)
    transcript.say("dana (moderator) ran /points level number:2 role:@Helper (level 2: 20 points)")

    for person in (alice, bob, carol):
        await bus.publish(MemberOnboarded(guild.id, now, user_id=person.id))
    await bus.publish(QuestionAsked(guild.id, now, QUESTION, alice.id))
    await bus.publish(AnswerPosted(guild.id, now, QUESTION, bob.id, ANSWER))
    await bus.publish(AnswerAccepted(guild.id, now, QUESTION, alice.id, bob.id, ANSWER))
    await world.service(RoleService).outbox.run_once()
    await world.discord.wait_for(lambda: bob.has_role(helper), timeout=10)
    transcript.say(
        "all three finished onboarding (+5 each); alice asked, bob answered (+2) and alice "
        "accepted it (+15) → bob reached level 2 and got the @Helper role"
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
