"""The drop post: Open for the entitled, an upsell into billing's checkout for the others,
comments in its thread and likes on it, all logged with the content id."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.core.events import ContentOpened
from bot.core.kinds import Kind
from sandbox.community import Community
from sandbox.discord import Message
from tests.e2e.billing.billing_support import session_id_of, settled
from tests.e2e.drops.drops_support import (
    add_item,
    advance,
    drop_posts,
    drops_world,
    schedule,
    service,
)
from tests.e2e.helpers import eventually_logged


async def _posted(world: Community, access: str | None = None) -> tuple[int, Message]:
    mod = await world.moderator()
    content_id = await add_item(world, mod, access=access)
    await schedule(world, mod, content_id, "in 1h")
    advance(world, timedelta(hours=1))
    await service(world).run_due()
    await service(world).poster.threads_settled()
    return content_id, drop_posts(world)[0]


async def test_a_member_opens_a_free_drop_privately(tmp_path: Path, database_url: str) -> None:
    async with drops_world(tmp_path, database_url) as world:
        content_id, post = await _posted(world)
        alice = await world.guild.join("alice")

        reply = await alice.click(post, "Open")

        assert reply.ephemeral and reply.embeds[0]["description"] == "The whole lesson."
        rows = await eventually_logged(world, kind=Kind.DROP_OPEN, user_id=alice.id)
        assert rows[0].ref == str(content_id)


async def test_every_open_publishes_content_opened(tmp_path: Path, database_url: str) -> None:
    async with drops_world(tmp_path, database_url) as world:
        seen: list[ContentOpened] = []

        async def remember(event: ContentOpened) -> None:
            seen.append(event)

        world.app.context.bus.subscribe(ContentOpened, remember)
        content_id, post = await _posted(world)
        alice = await world.guild.join("alice")
        await alice.click(post, "Open")
        await alice.click(post, "Open")

        assert [(e.user_id, e.content_id) for e in seen] == [(alice.id, content_id)] * 2
        assert len(await eventually_logged(world, 2, kind=Kind.DROP_OPEN)) == 2


async def test_a_paid_drop_shows_others_an_upsell_with_subscribe(
    tmp_path: Path, database_url: str
) -> None:
    async with drops_world(tmp_path, database_url) as world:
        content_id, post = await _posted(world, access="tier:pro")
        bob = await world.guild.join("bob")

        reply = await bob.click(post, "Open")

        assert reply.ephemeral and "pro" in reply.content.lower()
        assert [b["label"] for b in reply.buttons] == ["Subscribe"]
        rows = await eventually_logged(world, kind=Kind.DROP_UPSELL, user_id=bob.id)
        assert rows[0].ref == str(content_id)
        assert await eventually_logged(world, 0, kind=Kind.DROP_OPEN) == []


async def test_upsell_subscribe_then_open_shows_the_content(
    tmp_path: Path, database_url: str
) -> None:
    async with drops_world(tmp_path, database_url) as world:
        _, post = await _posted(world, access="tier:pro")
        bob = await world.guild.join("bob")
        upsell = await bob.click(post, "Open")

        checkout = await bob.click(upsell, "Subscribe")
        await world.stripe.pay(session_id_of(checkout))
        await settled(world)
        reply = await bob.click(post, "Open")

        assert reply.embeds and reply.embeds[0]["description"] == "The whole lesson."


async def test_replies_in_the_thread_are_comments_and_reactions_are_likes(
    tmp_path: Path, database_url: str
) -> None:
    async with drops_world(tmp_path, database_url) as world:
        content_id, post = await _posted(world)
        carol = await world.guild.join("carol")
        thread = world.guild.model.channels[post.thread_id or 0]

        await carol.say(thread, "Great lesson!")
        await carol.react(post, "👍")

        comments = await eventually_logged(world, kind=Kind.DROP_COMMENT, user_id=carol.id)
        likes = await eventually_logged(world, kind=Kind.DROP_LIKE, user_id=carol.id)
        assert comments[0].ref == likes[0].ref == str(content_id)
        assert comments[0].meta is None  # no text stored


async def test_a_member_cannot_schedule_or_add(tmp_path: Path, database_url: str) -> None:
    async with drops_world(tmp_path, database_url) as world:
        alice = await world.guild.join("alice")
        reply = await alice.run("/content add")
        assert reply.ephemeral and "Only moderators" in reply.content
