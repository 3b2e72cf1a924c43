"""The demo's live part: people join, talk, pay, and a moderator checks — all through Discord."""

from __future__ import annotations

import time

from sandbox.community import Community
from sandbox.demo.payments import settle
from sandbox.demo.transcript import Transcript
from sandbox.discord import Reply


def _link(reply: Reply) -> str:
    urls = [str(button["url"]) for button in reply.buttons if button.get("url")]
    if not urls:
        raise RuntimeError(f"expected a link button in the reply, got {reply.content!r}")
    return urls[0]


def _quote(reply: Reply) -> str:
    text = reply.content or (reply.embeds[0].get("title", "") if reply.embeds else "")
    return " / ".join(text.splitlines())


async def _wait_for_log(world: Community, rows: int) -> None:
    """Until the interaction log has taken `rows` more rows than it had at the start."""
    log = world.interaction_log
    await world.discord.wait_for(lambda: log.stats.written + log.pending >= rows, timeout=10)


async def play_live_script(world: Community, transcript: Transcript) -> None:
    """Joins, a conversation, a purchase through Checkout, /billing and a moderator lookup."""
    guild, general = world.guild, world.channel("general")
    log = world.interaction_log
    before = log.stats.written + log.pending
    alice = await guild.join("alice")
    bob = await guild.join("bob")
    carol = await guild.join("carol")
    transcript.say("alice, bob and carol joined the server")

    question = await alice.say(general, "Hi all! Where do I start with async Python?")
    answer = await bob.say(general, "Welcome! The pinned guide is a good start.", reply_to=question)
    await carol.react(answer, "👍")
    await _wait_for_log(world, before + 6)  # three joins, a message, a reply, a reaction
    transcript.say(
        "they talked in #general (a message, a reply, a reaction): logged as kinds and times, "
        "never the words"
    )

    help_reply = await carol.run("/help")
    transcript.say(f"carol ran /help → private answer: {_quote(help_reply)!r}")

    subscribe = await alice.run("/subscribe", tier="pro")
    link = _link(subscribe)
    transcript.say(f"alice ran /subscribe tier:pro → private reply: {_quote(subscribe)!r}")
    transcript.detail(f"[button] {link}")
    sent_before = len(world.stripe.events)
    paid_at = time.perf_counter()
    await world.stripe.pay(link.rstrip("/").rsplit("/", 1)[-1], name="Alice")
    await world.discord.wait_for(lambda: alice.has_role("Pro"), timeout=10)
    granted_ms = (time.perf_counter() - paid_at) * 1000
    await settle(world)
    sent = world.stripe.events[sent_before:]
    transcript.say(
        f"alice paid on Stripe Checkout → Stripe sent {len(sent)} signed webhook events → "
        f"role Pro granted {granted_ms:.0f} ms after payment"
    )
    transcript.detail(", ".join(event["type"] for event in sent))

    billing = await bob.run("/billing")
    transcript.say(f"bob ran /billing → {_quote(billing)!r}")
    portal = await alice.run("/billing")
    transcript.say(f"alice ran /billing → {_quote(portal)!r} [button] {_link(portal)}")

    moderator = await world.moderator("dana")
    lookup = await moderator.run("/membership lookup", member=alice)
    transcript.say("dana (moderator) ran /membership lookup member:alice →")
    transcript.detail(lookup.content)
