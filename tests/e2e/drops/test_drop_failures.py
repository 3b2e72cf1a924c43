"""A drop whose post fails: back-off, give up after max_attempts and tell once; the timer."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.services.drops.settings import DropsSettings
from sandbox.community import Community
from tests.e2e.drops.drops_support import (
    add_item,
    advance,
    drop_posts,
    drop_row,
    drops_world,
    schedule,
    service,
)

SEND = "POST /channels/{channel_id}/messages"
DEFAULTS = DropsSettings()


def _told_failed(world: Community, drop_id: int) -> list[str]:
    return [
        m.content for m in world.channel("mod-log").messages
        if f"Drop #{drop_id} could not be posted" in m.content
    ]  # fmt: skip


async def test_a_post_that_keeps_failing_backs_off_then_fails_and_moderators_are_told_once(
    tmp_path: Path, database_url: str
) -> None:
    async with drops_world(tmp_path, database_url) as world:
        mod = await world.moderator()
        drop_id = await schedule(world, mod, await add_item(world, mod), "in 2h")
        await service(world).stop()  # this test drives every run itself
        # 503: discord.py does not retry it itself. One failure per attempt; the mod-log
        # line after the last attempt shares the route, so the fault ends with the attempts.
        world.discord.faults.fail(SEND, status=503, times=DEFAULTS.max_attempts)
        advance(world, timedelta(hours=2))

        waits = []
        for attempt in range(1, DEFAULTS.max_attempts):
            before = world.clock.now()
            assert (await service(world).run_due()).retried == [drop_id]
            row = await drop_row(world, drop_id)
            assert (row.status, row.attempts) == ("scheduled", attempt)
            waits.append((row.due_at.replace(tzinfo=before.tzinfo) - before).total_seconds())
            advance(world, timedelta(seconds=waits[-1] - 1))
            assert (await service(world).run_due()).retried == []  # not before its back-off
            advance(world, timedelta(seconds=1))
        base = DEFAULTS.retry_base_s
        assert waits == [base * 2**n for n in range(DEFAULTS.max_attempts - 1)]

        assert (await service(world).run_due()).failed == [drop_id]
        row = await drop_row(world, drop_id)
        assert (row.status, row.attempts) == ("failed", DEFAULTS.max_attempts)
        advance(world, timedelta(hours=1))
        await service(world).run_due()
        assert drop_posts(world) == []
        assert len(_told_failed(world, drop_id)) == 1


async def test_a_transient_failure_then_success_posts_once(
    tmp_path: Path, database_url: str
) -> None:
    async with drops_world(tmp_path, database_url) as world:
        mod = await world.moderator()
        drop_id = await schedule(world, mod, await add_item(world, mod), "in 2h")
        await service(world).stop()
        world.discord.faults.fail(SEND, status=503, times=1)
        advance(world, timedelta(hours=2))

        assert (await service(world).run_due()).retried == [drop_id]
        advance(world, timedelta(seconds=DEFAULTS.retry_base_s))
        assert (await service(world).run_due()).posted == [drop_id]

        row = await drop_row(world, drop_id)
        assert (row.status, row.attempts) == ("posted", 2)
        assert len(drop_posts(world)) == 1 and _told_failed(world, drop_id) == []


async def test_the_timer_posts_a_due_drop_by_itself(tmp_path: Path, database_url: str) -> None:
    async with drops_world(tmp_path, database_url) as world:
        mod = await world.moderator()
        drop_id = await schedule(world, mod, await add_item(world, mod), "in 2h")
        advance(world, timedelta(hours=2))
        service(world).poster.wake()  # as a new or changed drop does; no run_due here

        await world.discord.wait_for(lambda: drop_posts(world))
        assert len(drop_posts(world)) == 1
        assert (await drop_row(world, drop_id)).status in ("posting", "posted")
