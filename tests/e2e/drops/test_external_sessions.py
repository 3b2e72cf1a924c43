"""Live sessions at an external place: a Discord event with a location, no voice channel."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sandbox.community import Community
from tests.e2e.drops.drops_support import (
    add_item,
    advance,
    drop_posts,
    drop_row,
    drops_world,
    service,
)

EXTERNAL = 3


async def _external(world: Community, place: str = "Café Central, Vienna") -> int:
    mod = await world.moderator()
    content_id = await add_item(world, mod, "Meetup", kind="event")
    preview = await mod.run("/drop schedule", item=str(content_id), when="in 2h",
                            channel=world.channel("general"), location=place)  # fmt: skip
    assert place in preview.content, preview.content
    done = await mod.click(preview, "Confirm")
    return int(done.content.split("#", 1)[1].split(" ", 1)[0])


async def test_an_event_drop_with_a_place_creates_an_external_event(
    tmp_path: Path, database_url: str
) -> None:
    async with drops_world(tmp_path, database_url) as world:
        row = await drop_row(world, await _external(world))
        event = world.guild.model.events[row.event_id or 0]
        assert (event.entity_type, event.location, event.channel_id) == (
            EXTERNAL, "Café Central, Vienna", None,
        )  # fmt: skip
        assert event.end is not None and event.end - event.start == timedelta(hours=1)


async def test_those_interested_in_an_external_session_are_told_the_place(
    tmp_path: Path, database_url: str
) -> None:
    async with drops_world(tmp_path, database_url) as world:
        row = await drop_row(world, await _external(world))
        alice = await world.guild.join("alice")
        await alice.mark_interested(row.event_id or 0)
        advance(world, timedelta(hours=1, minutes=46))
        assert await service(world).sessions.remind_due() == [alice.id]
        assert any("Café Central, Vienna" in m.content for m in alice.dms)


async def test_an_external_session_posts_nothing_at_its_start(
    tmp_path: Path, database_url: str
) -> None:
    async with drops_world(tmp_path, database_url) as world:
        drop_id = await _external(world)
        advance(world, timedelta(hours=2))
        assert (await service(world).run_due()).posted == [drop_id]
        assert drop_posts(world) == []


async def test_a_place_for_a_post_item_is_refused(tmp_path: Path, database_url: str) -> None:
    async with drops_world(tmp_path, database_url) as world:
        mod = await world.moderator()
        content_id = await add_item(world, mod)
        reply = await mod.run("/drop schedule", item=str(content_id), when="in 2h",
                              channel=world.channel("general"), location="The park")  # fmt: skip
        assert reply.ephemeral and "only for a live session" in reply.content
        assert world.guild.model.events == {}
