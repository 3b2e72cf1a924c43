"""A role burst under Discord's rate limits: `/membership resync` gives 2,000 members their role.

The scene: 2,000 members hold the Lifetime tier in the bot's database but none has its role
on Discord (the role was re-created, say). A moderator runs `/membership resync` through the
Discord sandbox; reconcile queues 2,000 role adds and the outbox applies them under the
sandbox's emulated rate limits (member roles: 10 per 10 s per guild; global: 50/s). While it
runs, an unrelated member keeps running a command (about ten a second). The limits' clock
runs `--speed` times faster than Discord's (default 10: ten role changes a second, not every
ten seconds), so the burst takes minutes rather than half an hour while the limit still
paces the bot, which does the same work per request. Prints one JSON line:

{"members": 2000, "seconds": ..., "requests": ..., "429s": ..., "lost": 0,
 "command_p99_ms_during": ..., ...}

Targets: lost = 0; no 429 but the first of a bucket (the bot paces itself by the headers);
command_p99_ms_during < 100.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sandbox.community import Community, running_community
from sandbox.discord import Person, Role
from storage.activity import members
from storage.billing.models import Entitlement, EntitlementSource

ROLE_ROUTES = (
    "PUT /guilds/{guild_id}/members/{user_id}/roles/{role_id}",
    "DELETE /guilds/{guild_id}/members/{user_id}/roles/{role_id}",
)


def percentile(values: list[float], fraction: float) -> float:
    """The value below which `fraction` of `values` lie (nearest rank)."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(fraction * len(ordered)) - 1))
    return ordered[rank]


async def drifted_members(world: Community, count: int) -> tuple[list[Person], Role]:
    """`count` members holding Lifetime in the database, without its role on Discord."""
    people = [await world.guild.join(f"member{n:05d}") for n in range(count)]
    guild_id = world.guild.id
    await world.discord.wait_for(
        lambda: (
            (g := world.app.bot.get_guild(guild_id)) is not None
            and g.get_member(people[-1].id) is not None
        ),
        timeout=120,
    )

    async with asyncio.timeout(120):  # the bot's join handlers are done: nothing queues later
        while True:
            async with world.db.read() as session:
                recorded = set(await members.in_guild_user_ids(session, guild_id))
            if {p.id for p in people} <= recorded:
                break
            await asyncio.sleep(0.2)
    now = world.clock.now()
    async with world.db.transaction() as session:
        for person in people:
            session.add(
                Entitlement(
                    guild_id=guild_id,
                    user_id=person.id,
                    tier_key="lifetime",
                    source=EntitlementSource.MANUAL,
                    status="active",
                    active=True,
                    granted_at=now,
                    state_created=now,
                    updated_at=now,
                )
            )
    return people, world.tier_roles["lifetime"]


def all_given(people: list[Person], role: Role) -> Callable[[], bool]:
    """A check that everyone has the role, cheap when it is polled: roles come in id order."""
    ordered = sorted(people, key=lambda p: p.id)
    first_without = 0

    def check() -> bool:
        nonlocal first_without
        while first_without < len(ordered) and ordered[first_without].has_role(role):
            first_without += 1
        return first_without == len(ordered) and all(p.has_role(role) for p in ordered)

    return check


async def probe_commands(member: Person, command: str, done: asyncio.Event) -> list[float]:
    """Run `command` again and again until `done`; each answer's latency in ms."""
    latencies: list[float] = []
    while not done.is_set():
        reply = await member.run(command, timeout=10)
        assert reply.latency is not None, "the bot did not answer"
        latencies.append(reply.latency * 1000)
        await asyncio.sleep(0.1)  # about ten commands a second from the rest of the server
    return latencies


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument(
        "--speed", type=float, default=10.0, help="the rate limits' clock runs this much faster"
    )
    parser.add_argument("--command", default="/help", help="the unrelated member's command")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    with tempfile.TemporaryDirectory() as tmp:
        async with running_community(Path(tmp)) as world:
            world.discord.rate_limits.speed = args.speed
            people, role = await drifted_members(world, args.members)
            bystander = await world.guild.join("bystander")
            moderator = await world.moderator()
            for _ in range(20):  # warm-up
                await bystander.run(args.command)
            first_call = len(world.discord.calls)
            throttled_before = world.discord.rate_limits.count()
            exhausted_before = world.discord.rate_limits.exhausted
            done = asyncio.Event()
            started = time.perf_counter()
            probing = asyncio.create_task(probe_commands(bystander, args.command, done))
            resync = await moderator.run("/membership resync", timeout=600)
            resync_seconds = time.perf_counter() - started  # reconcile done, changes queued
            budget = 3 * args.members / 10 * 10 / args.speed + 120
            with contextlib.suppress(TimeoutError):
                await world.discord.wait_for(all_given(people, role), timeout=budget, interval=0.05)
            seconds = time.perf_counter() - started
            done.set()
            latencies = await probing
            calls = list(world.discord.calls)[first_call:]
            lost = sum(1 for p in people if not p.has_role(role))
            report = resync.followups[0].content if resync.followups else resync.content
    print(
        json.dumps(
            {
                "members": args.members,
                "seconds": round(seconds, 2),
                "resync_answered_s": round(resync_seconds, 2),
                "requests": sum(1 for c in calls if c.route in ROLE_ROUTES),
                "429s": sum(1 for c in calls if c.status == 429),
                "lost": lost,
                "command_p99_ms_during": round(percentile(latencies, 0.99), 2),
                "command_p50_ms_during": round(statistics.median(latencies), 2),
                "commands_during": len(latencies),
                "emulated_429s": world.discord.rate_limits.count() - throttled_before,
                "buckets_emptied": world.discord.rate_limits.exhausted - exhausted_before,
                "speed": args.speed,
                "resync_said": report.splitlines()[0][:80] if report else "",
            }
        )
    )


if __name__ == "__main__":
    asyncio.run(main())
