"""Drops post at their time, once, with the real bot against the sandbox."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.services.drops.posting import teaser
from sandbox.community import Community
from storage.drops import queries
from tests.e2e.drops.drops_support import (
    add_item,
    advance,
    bot_up,
    drop_posts,
    drop_row,
    drops_world,
    schedule,
    service,
    stage,
)


async def test_a_scheduled_drop_posts_at_its_time(tmp_path: Path, database_url: str) -> None:
    async with drops_world(tmp_path, database_url) as world:
        mod = await world.moderator()
        content_id = await add_item(world, mod)
        drop_id = await schedule(world, mod, content_id, "in 2h")

        assert (await service(world).run_due()).posted == []
        advance(world, timedelta(hours=2))
        await service(world).run_due()

        assert (await drop_row(world, drop_id)).status == "posted"
        posts = drop_posts(world)
        assert len(posts) == 1 and posts[0].embeds[0]["title"] == "Async in depth"
        assert (await drop_row(world, drop_id)).message_id == posts[0].id


async def test_a_drop_due_while_down_posts_once_on_start_within_the_grace(
    tmp_path: Path, database_url: str
) -> None:
    async with stage(tmp_path, database_url) as on:
        async with bot_up(on) as world:
            mod = await world.moderator()
            drop_id = await schedule(world, mod, await add_item(world, mod), "in 2h")
        on.clock.advance(timedelta(hours=2, minutes=30))  # down past the time, within 60 min
        async with bot_up(on) as world:
            assert (await drop_row(world, drop_id)).status == "posted"
            assert len(drop_posts(world)) == 1


async def test_a_drop_due_longer_ago_than_the_grace_is_missed_and_moderators_told(
    tmp_path: Path, database_url: str
) -> None:
    async with stage(tmp_path, database_url) as on:
        async with bot_up(on) as world:
            mod = await world.moderator()
            drop_id = await schedule(world, mod, await add_item(world, mod), "in 2h")
        on.clock.advance(timedelta(hours=5))
        async with bot_up(on) as world:
            assert (await drop_row(world, drop_id)).status == "missed"
            assert drop_posts(world) == []
            told = [m.content for m in world.channel("mod-log").messages]
            assert any(f"#{drop_id}" in text and "not posted late" in text for text in told)


async def test_a_crash_between_posting_and_marking_leaves_exactly_one_message(
    tmp_path: Path, database_url: str
) -> None:
    async with stage(tmp_path, database_url) as on:
        async with bot_up(on) as world:
            mod = await world.moderator()
            drop_id = await schedule(world, mod, await add_item(world, mod), "in 2h")
            on.clock.advance(timedelta(hours=2))
            await _post_without_marking(world, drop_id)  # the process "dies" here
            assert len(drop_posts(world)) == 1
        async with bot_up(on) as world:
            row = await drop_row(world, drop_id)
            assert row.status == "posted" and row.message_id == drop_posts(world)[0].id
            assert len(drop_posts(world)) == 1


async def test_a_crash_with_the_post_buried_in_history_is_saved_by_the_nonce(
    tmp_path: Path, database_url: str
) -> None:
    async with stage(tmp_path, database_url) as on:
        async with bot_up(on) as world:
            mod = await world.moderator()
            drop_id = await schedule(world, mod, await add_item(world, mod), "in 2h")
            on.clock.advance(timedelta(hours=2))
            await _post_without_marking(world, drop_id)
            chatter = await world.guild.join("chatter")
            for n in range(60):  # more than the restart reads back
                await chatter.say(world.channel("general"), f"message {n}")
        async with bot_up(on) as world:
            assert (await drop_row(world, drop_id)).status == "posted"
            assert len(drop_posts(world)) == 1
            assert on.discord.backend.messages.nonce_repeats == 1


async def _post_without_marking(world: Community, drop_id: int) -> None:
    """Claim the drop and post it, as the poster does, but never mark it posted."""
    drops = service(world)
    await drops.stop()  # the timer must not finish the job for us
    async with world.db.transaction() as session:
        claimed = await queries.claim_due(session, world.clock.now(), 10)
    assert [d.id for d in claimed] == [drop_id]
    async with world.db.read() as session:
        item = await queries.item(session, world.guild.id, claimed[0].content_id)
    assert item is not None
    await drops.core.channel.post(claimed[0].channel_id, teaser(drop_id, item), claimed[0].nonce)
