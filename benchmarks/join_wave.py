"""A join wave: 1,000 members join within 10 s, each clicks "I agree" and picks interests.

The scene: onboarding is set up with Lyceum's gate and three topics. An unrelated member
keeps running a slash command (about ten a second) the whole time. Members join at an even
pace (`--members` in `--seconds`); each clicks "I agree" on the gate message a moment after
joining (0.2-2 s, as people read the rules), then picks one or two interests in the menu the
bot answers with. Role changes go through the role outbox under the sandbox's emulated rate
limits (member roles: 10 per 10 s per guild, as on Discord); the limits' clock runs
`--speed` times faster (default 100), or the wave's ~2,500 role changes would take 40
minutes whatever the bot does. Prints one JSON line:

{"joins": 1000, "onboarded": ..., "lost": 0, "p50_join_to_role_ms": ...,
 "p99_join_to_role_ms": ..., "command_p99_ms_during_wave": ..., ...}

join_to_role: from the join to the GUILD_MEMBER_UPDATE giving the member role.
joins_spread_s: from the first join to the last one issued (the target is `--seconds`);
join_late_p99_ms: how late the joins were issued, the driver's share of the event loop;
clicks_done_after_s: until every member had clicked "I agree" and picked interests.
lost: members without the member role or one of their interest roles at the end.
Targets: lost = 0, every member onboarded, command_p99_ms_during_wave < 100.

The bot runs as `lyceum run` in its own process, as in production; Discord's stand-in and
the crowd driving it run in this one. (In one process, every full pass of the garbage
collector also walked the stand-in's record of every payload it ever sent, and stalled the
bot for 100-350 ms at a time.)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import random
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from sandbox.bot_process import lyceum_child
from sandbox.discord import Channel, DiscordSandbox, Message, Person, SandboxGuild
from sandbox.stripe import StripeSandbox
from storage.database import Database
from storage.onboarding.models import OnboardingMember
from storage.stats.sql import execute

TOPICS = ("python", "career", "design")


def percentile(values: list[float], fraction: float) -> float:
    """The value below which `fraction` of `values` lie (nearest rank)."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(fraction * len(ordered)) - 1))
    return ordered[rank]


@dataclass
class Crowd:
    """Discord's stand-in and the guild the bot (in its own process) serves."""

    discord: DiscordSandbox
    guild: SandboxGuild
    database_url: str

    @property
    def owner(self) -> Person:
        """The guild's owner."""
        return self.guild.owner

    def channel(self, name: str) -> Channel:
        """A channel of the guild by name."""
        return self.guild.channel(name)


async def set_up(world: Crowd) -> Message:
    """The gate and three topics; returns the gate message."""
    owner = world.owner
    for key in TOPICS:
        role = world.guild.create_role(key.title())
        await owner.run("/setup topic", key=key, label=key.title(), role=role)
    await owner.run("/setup onboarding", gate=True)
    return await world.discord.wait_for(
        lambda: next(
            (m for m in world.channel("welcome").messages if "I agree" in str(m.components)),
            None,
        )
    )


async def probe_commands(member: Person, command: str, done: asyncio.Event) -> list[float]:
    """Run `command` again and again until `done`; each answer's latency in ms."""
    latencies: list[float] = []
    while not done.is_set():
        reply = await member.run(command, timeout=30)
        assert reply.latency is not None, "the bot did not answer"
        latencies.append(reply.latency * 1000)
        await asyncio.sleep(0.1)
    return latencies


class Wave:
    """The joining members, what they picked, and when each got the member role."""

    def __init__(self, world: Crowd, gate: Message, seed: int) -> None:
        self.world = world
        self.gate = gate
        self.random = random.Random(seed)
        self.people: list[Person] = []
        self.picked: dict[int, list[str]] = {}
        self.joined_at: dict[int, float] = {}
        self.role_at: dict[int, float] = {}
        self.failures: list[str] = []
        self.late: list[float] = []  # how late each join was issued (s): the driver's share
        self.issued_s = 0.0
        self.member_role = str(world.guild.role("Member").id)
        world.discord.gateway.observers.append(self._observe)

    def _observe(self, event: str, data: dict[str, Any]) -> None:
        if event != "GUILD_MEMBER_UPDATE" or self.member_role not in data.get("roles", ()):
            return
        user_id = int(data["user"]["id"])
        if user_id in self.joined_at and user_id not in self.role_at:
            self.role_at[user_id] = time.perf_counter()

    async def join(self, n: int) -> Person:
        """Member `n` joins now."""
        person = await self.world.guild.join(f"wave{n:05d}")
        self.joined_at[person.id] = time.perf_counter()
        self.people.append(person)
        return person

    async def member(self, person: Person) -> None:
        """One member who just joined: read the rules a moment, agree, pick interests."""
        picks = self.random.sample(TOPICS, self.random.choice((1, 2)))
        self.picked[person.id] = picks
        await asyncio.sleep(self.random.uniform(0.2, 2.0))
        try:
            agreed = await person.click(self.gate, "I agree", timeout=900)
            custom_id = f"lyceum:onboarding:interests:{self.world.guild.id}"
            await person.select(agreed, custom_id, picks, timeout=900)
        except Exception as error:  # counted, not raised: the wave goes on
            self.failures.append(f"{person.user.username}: {error!r}")

    async def run(self, count: int, seconds: float) -> None:
        """`count` members join evenly over `seconds` (each join is issued here, on time,
        not from its member's task: a busy loop would start those late); then wait until
        every member clicked and picked."""
        tasks = []
        start = time.perf_counter()
        for n in range(count):
            due = start + n * seconds / count
            if due > time.perf_counter():
                await asyncio.sleep(due - time.perf_counter())
            person = await self.join(n)
            self.late.append(self.joined_at[person.id] - due)
            tasks.append(asyncio.create_task(self.member(person)))
        self.issued_s = time.perf_counter() - start
        await asyncio.gather(*tasks)

    def complete(self, person: Person) -> bool:
        """The member holds the member role and every interest role they picked."""
        return person.has_role("Member") and all(
            person.has_role(key.title()) for key in self.picked[person.id]
        )


async def onboarded_count(world: Crowd) -> int:
    """Members the bot recorded as onboarded (read from its database file)."""
    table = OnboardingMember.__table__  # type: ignore[attr-defined]
    db = Database.from_url(world.database_url)
    try:
        async with db.read() as session:
            result = await execute(
                session,
                select(func.count()).where(
                    table.c.guild_id == world.guild.id, table.c.onboarded_at.is_not(None)
                ),
            )
        return int(result.scalar_one())
    finally:
        await db.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=10.0, help="the joins' spread")
    parser.add_argument("--speed", type=float, default=100.0, help="rate limits' clock speed")
    parser.add_argument("--command", default="/help", help="the unrelated member's command")
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    with tempfile.TemporaryDirectory() as tmp:
        # The unrelated member's commands measure latency: the spam guard is off for them.
        off = {"discord": {"member_commands_per_minute": 0}}
        async with (
            DiscordSandbox() as discord_sb,
            StripeSandbox() as stripe_sb,
            lyceum_child(discord_sb, stripe_sb, Path(tmp), **off) as (prepared, bot, _),
        ):
            discord_sb.rate_limits.speed = args.speed
            world = Crowd(discord_sb, prepared.guild, prepared.database_url)
            gate = await set_up(world)
            bystander = await world.guild.join("bystander")
            for _ in range(20):  # warm-up
                await bystander.run(args.command)
            wave = Wave(world, gate, args.seed)
            done = asyncio.Event()
            probing = asyncio.create_task(probe_commands(bystander, args.command, done))
            started = time.perf_counter()
            await wave.run(args.members, args.seconds)
            clicked_s = time.perf_counter() - started
            done.set()
            latencies = await probing
            budget = 3 * 3 * args.members / 10 * 10 / args.speed + 120
            with contextlib.suppress(TimeoutError):
                await world.discord.wait_for(
                    lambda: all(wave.complete(p) for p in wave.people), timeout=budget, interval=0.1
                )
            seconds = time.perf_counter() - started
            lost = sum(1 for p in wave.people if not wave.complete(p))
            onboarded = await onboarded_count(world)
            bot.terminate()  # a clean stop: the bot finishes its writes
            await bot.wait()
            waits = [
                (wave.role_at[u] - wave.joined_at[u]) * 1000
                for u in wave.joined_at
                if u in wave.role_at
            ]
    print(
        json.dumps(
            {
                "joins": len(wave.people),
                "onboarded": onboarded,
                "lost": lost,
                "p50_join_to_role_ms": round(statistics.median(waits), 1) if waits else None,
                "p99_join_to_role_ms": round(percentile(waits, 0.99), 1) if waits else None,
                "command_p99_ms_during_wave": round(percentile(latencies, 0.99), 2),
                "command_p50_ms_during_wave": round(statistics.median(latencies), 2),
                "commands_during_wave": len(latencies),
                "joins_spread_s": round(wave.issued_s, 2),
                "join_late_p99_ms": round(percentile(wave.late, 0.99) * 1000, 1),
                "clicks_done_after_s": round(clicked_s, 2),
                "all_roles_after_s": round(seconds, 2),
                "click_failures": len(wave.failures),
                "speed": args.speed,
            }
        )
    )
    for failure in wave.failures[:5]:
        logging.error("%s", failure)


if __name__ == "__main__":
    asyncio.run(main())
