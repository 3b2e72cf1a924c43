"""Drops post at their time, once, with the real bot against the sandbox."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from tests.e2e.drops.drops_support import (
    add_item,
    advance,
    drop_posts,
    drop_row,
    drops_world,
    schedule,
    service,
)


async def test_a_scheduled_drop_posts_at_its_time(tmp_path: Path, database_url: str) -> None:
    async with drops_world(tmp_path, database_url) as world:
        mod = await world.moderator()
        content_id = await add_item(world, mod)
        drop_id = await schedule(world, mod, content_id, "in 2h")

        assert (await service(world).run_due()).posted == []
        advance(world, timedelta(hours=2))
        summary = await service(world).run_due()

        assert summary.posted == [drop_id]
        posts = drop_posts(world)
        assert len(posts) == 1 and posts[0].embeds[0]["title"] == "Async in depth"
        assert (await drop_row(world, drop_id)).message_id == posts[0].id
