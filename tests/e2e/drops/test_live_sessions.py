"""Live sessions: a scheduled event in a voice channel, a reminder, attendance from voice."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.core.kinds import Kind
from sandbox.community import Community
from tests.e2e.drops.drops_support import (
    add_item,
    advance,
    bot_up,
    drop_row,
    drops_world,
    service,
    stage,
)
from tests.e2e.helpers import eventually_logged, logged


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


async def _event_drop(world: Community, title: str = "Office hours") -> int:
    """A moderator schedules an event item into #lounge in 2 hours; the drop id."""
    mod = await world.moderator()
    content_id = await add_item(world, mod, title, kind="event")
    preview = await mod.run("/drop schedule", item=str(content_id), when="in 2h",
                            channel=world.channel("lounge"))  # fmt: skip
    done = await mod.click(preview, "Confirm")
    return int(done.content.split("#", 1)[1].split(" ", 1)[0])


async def test_a_live_session_lasts_an_hour_by_default(tmp_path: Path, database_url: str) -> None:
    async with drops_world(tmp_path, database_url) as world:
        row = await drop_row(world, await _event_drop(world))
        event = world.guild.model.events[row.event_id or 0]
        assert event.end is not None and event.end - event.start == timedelta(hours=1)


async def test_session_minutes_sets_the_events_end(tmp_path: Path, database_url: str) -> None:
    async with stage(tmp_path, database_url, "session_minutes = 90") as on, bot_up(on) as world:
        row = await drop_row(world, await _event_drop(world))
        event = world.guild.model.events[row.event_id or 0]
        assert event.end is not None and event.end - event.start == timedelta(minutes=90)


async def test_attendance_counts_for_session_minutes_and_not_after(
    tmp_path: Path, database_url: str
) -> None:
    async with stage(tmp_path, database_url, "session_minutes = 90") as on, bot_up(on) as world:
        await _event_drop(world)
        alice, bob = await world.guild.join("alice"), await world.guild.join("bob")
        on.clock.advance(timedelta(hours=2))
        await service(world).run_due()
        on.clock.advance(timedelta(minutes=80))  # past an hour, within the 90 minutes
        await alice.join_voice(world.channel("lounge"))
        [row] = await eventually_logged(world, 1, kind=Kind.EVENT_ATTEND)
        assert row.user_id == alice.id

        on.clock.advance(timedelta(minutes=15))  # the session is over
        lounge = world.channel("lounge").id
        assert not service(world).sessions.voice_joined(world.guild.id, bob.id, lounge)
        assert [r.user_id for r in await logged(world, kind=Kind.EVENT_ATTEND)] == [alice.id]


async def test_a_session_in_a_stage_channel_is_a_stage_event_and_counts_attendance(
    tmp_path: Path, database_url: str
) -> None:
    async with drops_world(tmp_path, database_url) as world:
        stage_channel = world.guild.create_stage_channel("town-hall")
        await world.discord.wait_for(
            lambda: world.app.bot.get_channel(stage_channel.id)  # the bot saw it
        )
        mod = await world.moderator()
        content_id = await add_item(world, mod, "Town hall", kind="event")
        preview = await mod.run("/drop schedule", item=str(content_id), when="in 2h",
                                channel=stage_channel)  # fmt: skip
        done = await mod.click(preview, "Confirm")
        row = await drop_row(world, int(done.content.split("#", 1)[1].split(" ", 1)[0]))
        event = world.guild.model.events[row.event_id or 0]
        assert (event.entity_type, event.channel_id) == (1, stage_channel.id)

        alice = await world.guild.join("alice")
        advance(world, timedelta(hours=2))
        await service(world).run_due()
        await alice.join_voice(stage_channel)
        [attended] = await eventually_logged(world, 1, kind=Kind.EVENT_ATTEND)
        assert (attended.user_id, attended.ref) == (alice.id, str(content_id))
