"""Gateway throughput: the bot with every cog loaded vs a bare discord.py client, same sandbox.

Prints one JSON line: {"events": N, "bot_s": ..., "bare_s": ..., "ratio": ...}, the best of
a few alternating rounds (shared machines are noisy).
Target: ratio <= 1.5 (the bot's own per-message cost stays small).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import logging
import tempfile
import time
from pathlib import Path

import discord

from bot.client import intents
from bot.discord_endpoint import use_api_base
from bot.runtime import running_app
from bot.settings import Settings, parse_settings
from sandbox.community import prepare_community
from sandbox.discord import Channel, DiscordSandbox, Person
from sandbox.discord.waiting import poll
from sandbox.stripe import StripeSandbox


class MessageCounter:
    """Counts MESSAGE_CREATE events a client handled; wakes a waiter at a target."""

    def __init__(self) -> None:
        self.count = 0
        self.target = 0
        self.reached = asyncio.Event()

    async def on_message(self, message: discord.Message) -> None:
        self.count += 1
        if self.count >= self.target:
            self.reached.set()

    def expect(self, more: int) -> None:
        self.target = self.count + more
        self.reached.clear()


async def timed_push(
    sandbox: DiscordSandbox, channel: Channel, who: Person, counter: MessageCounter, n: int
) -> float:
    """Seconds from the first MESSAGE_CREATE sent until the client handled the n-th."""
    counter.expect(n)
    started = time.perf_counter()
    await sandbox.push_messages(channel, who, n)
    await asyncio.wait_for(counter.reached.wait(), timeout=300)
    return time.perf_counter() - started


async def run_bare(sandbox: DiscordSandbox, channel: Channel, who: Person, n: int) -> float:
    client = discord.Client(intents=intents(), guild_ready_timeout=0.05)
    counter = MessageCounter()
    client.event(counter.on_message)
    async with client:
        runner = asyncio.create_task(client.start(sandbox.token))
        await client.wait_until_ready()
        gc.freeze()
        await timed_push(sandbox, channel, who, counter, min(n, 2000))  # warm-up
        elapsed = await timed_push(sandbox, channel, who, counter, n)
    await runner
    return elapsed


async def run_bot(
    sandbox: DiscordSandbox, settings: Settings, channel: Channel, who: Person, n: int
) -> float:
    """The bot handled a message once its activity cog queued the interaction row."""
    async with running_app(settings, wait_until_ready=10) as app:
        log = app.interaction_log

        async def push_and_wait(count: int) -> float:
            target = log.pending + log.stats.written + count
            started = time.perf_counter()
            await sandbox.push_messages(channel, who, count)
            await poll(lambda: log.pending + log.stats.written >= target, 300, interval=0.001)
            return time.perf_counter() - started

        await push_and_wait(min(n, 2000))  # warm-up
        elapsed = await push_and_wait(n)
        await log.flush()
    return elapsed


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=3, help="best of this many, alternating")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    bare_times: list[float] = []
    bot_times: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        async with DiscordSandbox() as discord_sb, StripeSandbox() as stripe_sb:
            prepared = await prepare_community(discord_sb, stripe_sb, Path(tmp))
            settings = parse_settings(prepared.config_text, prepared.environment)
            use_api_base(discord_sb.api_base)
            channel = prepared.guild.channel("general")
            author = await prepared.guild.join("chatty")
            for _ in range(args.rounds):
                bare_times.append(await run_bare(discord_sb, channel, author, args.events))
                bot_times.append(await run_bot(discord_sb, settings, channel, author, args.events))
    bot_s, bare_s = min(bot_times), min(bare_times)
    print(
        json.dumps(
            {
                "events": args.events,
                "bot_s": round(bot_s, 3),
                "bare_s": round(bare_s, 3),
                "ratio": round(bot_s / bare_s, 3),
            }
        )
    )


if __name__ == "__main__":
    asyncio.run(main())
