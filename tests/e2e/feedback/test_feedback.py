"""/feedback through the real bot: stored, posted to the moderators, listed for them only."""

from __future__ import annotations

from sqlmodel import select

from bot.core.access import MODERATORS
from bot.services.feedback import FeedbackService
from sandbox.community import Community
from sandbox.discord import Person
from storage.feedback.models import Feedback

CREATE_MESSAGE = "POST /channels/{channel_id}/messages"
FIELD = "What should the moderators know?"


async def stored(world: Community) -> list[Feedback]:
    async with world.db.read() as session:
        return list((await session.exec(select(Feedback))).all())


async def send(person: Person, text: str) -> str:
    form = await person.run("/feedback send")
    reply = await person.submit_modal(form.modal, {FIELD: text})
    assert reply.ephemeral
    return reply.content


async def test_feedback_is_stored_and_posted_to_the_moderators_log(community: Community) -> None:
    alice = await community.guild.join("alice")

    answer = await send(alice, "The Tuesday drops come too early for Asia.")

    assert answer.startswith("Thank you")
    [row] = await stored(community)
    assert row.user_id == alice.id and row.posted_at is not None
    [post] = [m for m in community.channel("mod-log").messages if "Feedback from" in m.content]
    assert "Tuesday drops" in post.content


async def test_feedback_that_mentions_everyone_pings_nobody(community: Community) -> None:
    alice = await community.guild.join("alice")
    mod = await community.moderator()

    await send(alice, f"@everyone look at this {mod.mention} <@&{community.guild.id}>")

    posts = [c for c in community.discord.calls if c.route == CREATE_MESSAGE and c.status == 200]
    assert posts and all(c.json["allowed_mentions"]["parse"] == [] for c in posts)
    assert all(not c.json["allowed_mentions"].get("users") for c in posts)


async def test_feedback_is_kept_when_the_moderators_log_fails_and_posted_later(
    community: Community,
) -> None:
    alice = await community.guild.join("alice")
    community.discord.faults.fail(CREATE_MESSAGE, status=503, times=None)

    answer = await send(alice, "Please add a channel for Rust questions.")

    assert answer.startswith("Thank you")
    [row] = await stored(community)
    assert row.posted_at is None
    community.discord.faults.clear()
    assert await community.service(FeedbackService).post_pending() == 1


async def test_too_short_feedback_is_refused_privately_and_nothing_is_stored(
    community: Community,
) -> None:
    alice = await community.guild.join("alice")
    form = await alice.run("/feedback send")

    reply = await alice.submit_modal(form.modal, {FIELD: "   hi      "})

    assert reply.ephemeral and "at least" in reply.content
    assert await stored(community) == []


async def test_moderators_list_feedback_and_members_are_refused(community: Community) -> None:
    alice = await community.guild.join("alice")
    mod = await community.moderator()
    await send(alice, "More office hours on Fridays would be great.")

    listed = await mod.run("/feedback list")
    refused = await alice.run("/feedback list")

    assert listed.ephemeral and "office hours" in listed.content
    assert refused.ephemeral and refused.content == MODERATORS.refusal
