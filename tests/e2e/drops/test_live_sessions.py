"""Live sessions: a scheduled event in a voice channel, a reminder, attendance from voice."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.core.kinds import Kind
from tests.e2e.drops.drops_support import add_item, advance, drop_row, drops_world, service
from tests.e2e.helpers import eventually_logged


async def test_an_event_drop_creates_a_scheduled_event_in_the_voice_channel(
    tmp_path: Path, database_url: str
) -> None:
    async with drops_world(tmp_path, database_url) as world:
        mod = await world.moderator()
        content_id = await add_item(world, mod, "Office hours", kind="event")
        preview = await mod.run("/drop schedule", item=str(content_id), when="in 2h",
                                channel=world.channel("lounge"))  # fmt: skip
        done = await mod.click(preview, "Confirm")
        drop_id = int(done.content.split("#", 1)[1].split(" ", 1)[0])

        row = await drop_row(world, drop_id)
        event = world.guild.model.events[row.event_id or 0]
        assert event.name == "Office hours" and event.channel_id == world.channel("lounge").id


async def test_a_post_item_cannot_go_to_a_voice_channel(tmp_path: Path, database_url: str) -> None:
    async with drops_world(tmp_path, database_url) as world:
        mod = await world.moderator()
        content_id = await add_item(world, mod)
        reply = await mod.run("/drop schedule", item=str(content_id), when="in 2h",
                              channel=world.channel("lounge"))  # fmt: skip
        assert reply.ephemeral and "voice channel" in reply.content


async def test_those_interested_are_reminded_and_those_present_attend(
    tmp_path: Path, database_url: str
) -> None:
    async with drops_world(tmp_path, database_url) as world:
        mod = await world.moderator()
        content_id = await add_item(world, mod, "Office hours", kind="event")
        preview = await mod.run("/drop schedule", item=str(content_id), when="in 2h",
                                channel=world.channel("lounge"))  # fmt: skip
        done = await mod.click(preview, "Confirm")
        drop_id = int(done.content.split("#", 1)[1].split(" ", 1)[0])
        event_id = (await drop_row(world, drop_id)).event_id or 0
        alice, bob = await world.guild.join("alice"), await world.guild.join("bob")
        await alice.mark_interested(event_id)

        advance(world, timedelta(hours=1, minutes=46))
        assert await service(world).sessions.remind_due() == [alice.id]
        assert any("Office hours" in m.content for m in alice.dms) and bob.dms == []

        await alice.join_voice(world.channel("lounge"))
        advance(world, timedelta(minutes=14))
        await service(world).run_due()
        await bob.join_voice(world.channel("lounge"))

        rows = await eventually_logged(world, 2, kind=Kind.EVENT_ATTEND)
        assert {r.user_id for r in rows} == {alice.id, bob.id}
        assert {r.ref for r in rows} == {str(content_id)}
