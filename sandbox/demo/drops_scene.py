"""The demo's drops scene: a moderator schedules a paid drop, it posts on time, a paying
member opens it, another gets the upsell and subscribes, someone comments and likes."""

from __future__ import annotations

from datetime import timedelta

from bot.services.billing import BillingService
from bot.services.drops import DropService
from sandbox.community import Community
from sandbox.demo.clock import TravellingClock
from sandbox.demo.payments import settle
from sandbox.demo.transcript import Transcript
from sandbox.discord import Message, Reply

OPEN_PREFIX = "lyceum:drops:open:"


def _one_line(reply: Reply) -> str:
    text = reply.content or (reply.embeds[0].get("title", "") if reply.embeds else "")
    return " / ".join(text.splitlines())


def _drop_post(world: Community) -> Message | None:
    for message in world.channel("general").messages:
        if any(str(b.get("custom_id", "")).startswith(OPEN_PREFIX) for b in message.buttons):
            return message
    return None


async def play_drops_scene(
    world: Community, clock: TravellingClock, transcript: Transcript
) -> None:
    """Schedule → post → open → upsell → subscribe → open → comment (alice already pays)."""
    guild = world.guild
    dana = guild.person("dana")
    alice, bob, carol = guild.person("alice"), guild.person("bob"), guild.person("carol")

    form = await dana.run("/content add", access="tier:pro")
    saved = await dana.submit_modal(
        form.modal,
        {"Title": "Async Python, the deep dive", "Summary (the teaser)":
         "Event loops, tasks and cancellation — with the traps.", "Body":
         "Part 1: the event loop... (the whole lesson, for Pro members)",
         "Tags (comma separated)": "python, async"},
    )  # fmt: skip
    content_id = saved.content.split("#", 1)[1].split(" ", 1)[0]
    transcript.say(f"dana (moderator) ran /content add access:tier:pro → {_one_line(saved)!r}")

    preview = await dana.run(
        "/drop schedule", item=content_id, when="in 1 min", channel=world.channel("general")
    )
    transcript.say("dana ran /drop schedule when:'in 1 min' → a preview to confirm:")
    transcript.detail(preview.content)
    confirmed = await dana.click(preview, "Confirm")
    transcript.say(f"dana clicked Confirm → {_one_line(confirmed)!r}")

    clock.travel_to(clock.now() + timedelta(minutes=1, seconds=1))  # a minute passes
    world.service(DropService).poster.wake()
    post = await world.discord.wait_for(lambda: _drop_post(world), timeout=15)
    await world.service(DropService).poster.threads_settled()
    transcript.say(
        f"a minute later the drop posted in #general: embed {post.embeds[0]['title']!r} with "
        f"an Open button and a discussion thread"
    )

    opened = await alice.click(post, "Open")
    transcript.say(f"alice (Pro) clicked Open → privately: {opened.embeds[0]['description']!r}")

    upsell = await bob.click(post, "Open")
    transcript.say(f"bob clicked Open → privately: {_one_line(upsell)!r} [Subscribe]")
    checkout = await bob.click(upsell, "Subscribe")
    link = next(str(b["url"]) for b in checkout.buttons if b.get("url"))
    transcript.say(f"bob clicked Subscribe → billing's checkout link: {_one_line(checkout)!r}")
    await world.stripe.pay(link.rstrip("/").rsplit("/", 1)[-1], name="Bob")
    await settle(world)
    await world.service(BillingService).outbox.run_once()
    again = await bob.click(post, "Open")
    transcript.say(f"bob paid, clicked Open again → {again.embeds[0]['description']!r}")

    thread = world.guild.model.channels[post.thread_id or 0]
    await carol.say(thread, "The cancellation part saved my week, thanks!")
    await carol.react(post, "🔥")
    transcript.say(
        "carol replied in the drop's thread and reacted to the post: logged as a comment and "
        "a like of the item (ids and times, never the words)"
    )
