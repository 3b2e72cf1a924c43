"""The demo's Q&A scene: a question like an earlier one (the duplicate is offered), posted
anyway, answered by another member, marked by the asker."""

from __future__ import annotations

from sandbox.community import Community
from sandbox.demo.transcript import Transcript
from sandbox.discord import Channel, Person, Reply

TITLE = "Title: what are you stuck on?"
DETAILS = "Details: what you tried, what happened"


async def _ask(person: Person, title: str, details: str, tags: list[str]) -> Reply:
    opened = await person.run("/ask")
    if opened.modal is None:
        raise RuntimeError(f"/ask opened no form: {opened.content!r}")
    return await person.submit_modal(opened.modal, {TITLE: title, DETAILS: details, "Tags": tags})


def _thread(world: Community, title: str) -> Channel:
    return world.channel(title)


async def play_qa_scene(world: Community, transcript: Transcript) -> None:
    """An earlier solved question, then a similar one: duplicates offered, posted, solved."""
    guild = world.guild
    erin, frank = await guild.join("erin"), await guild.join("frank")
    alice, bob = guild.person("alice"), guild.person("bob")

    earlier = "Asyncio gather swallows exceptions from my tasks"
    first = await _ask(
        erin, earlier,
        "One coroutine in asyncio.gather raises but the others keep running and I never see it.",
        ["python"],
    )  # fmt: skip
    thread = _thread(world, earlier)
    answer = await frank.say(
        thread, "Await the gather itself (exceptions propagate), or use asyncio.TaskGroup."
    )
    await erin.run_message_command("Mark as answer", answer)
    transcript.say(f"erin asked with /ask → {first.content.splitlines()[0]!r}")
    transcript.say("frank answered in the forum post; erin marked it → solved tag and ✅")

    similar = await _ask(
        alice, "Exception in one asyncio task is lost with gather",
        "An exception raised in a coroutine passed to asyncio.gather seems to vanish silently.",
        ["python"],
    )  # fmt: skip
    offered = similar.content.splitlines()
    transcript.say("alice ran /ask with a similar question → before posting, the bot offered:")
    for line in offered[1:-1]:
        transcript.detail(line)
    transcript.detail("[buttons] " + " · ".join(str(b["label"]) for b in similar.buttons))
    posted = await alice.click(similar, "Post anyway")
    transcript.say(f"alice clicked Post anyway → {posted.content!r}")

    thread = _thread(world, "Exception in one asyncio task is lost with gather")
    reply = await bob.say(thread, "In your case the task is never awaited: await the gather.")
    marked = await alice.run_message_command("Mark as answer", reply)
    transcript.say(f"bob answered; alice used Mark as answer → {marked.content!r}")
    solved = [m.content for m in thread.messages if m.content.startswith("✅ Solved")]
    transcript.detail(f"in the thread: {solved[-1] if solved else '(no solved note)'}")
    transcript.detail(
        "forum tags now: " + ", ".join(
            tag.name for tag in world.channel("questions").available_tags
            if tag.id in thread.applied_tags
        )
    )  # fmt: skip
