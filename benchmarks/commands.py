"""Slash-command latency through the sandbox: INTERACTION_CREATE sent → callback received.

Prints one JSON line: {"commands": N, "p50_ms": ..., "p99_ms": ..., "max_ms": ...}
Target: p99 < 100 ms (Discord's hard limit for the first answer is 3 s).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import statistics
import tempfile
from pathlib import Path

from sandbox.community import running_community


def percentile(values: list[float], fraction: float) -> float:
    """The value below which `fraction` of `values` lie (nearest rank)."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(fraction * len(ordered)) - 1))
    return ordered[rank]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--commands", type=int, default=2000)
    parser.add_argument("--command", default="/help", help="slash command to run (no options)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    latencies: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        # Latency of the bot itself: the per-member budget (a spam guard) is off here.
        off = {"discord": {"member_commands_per_minute": 0}}
        async with running_community(Path(tmp), overrides=off) as world:
            member = await world.guild.join("bench")
            for _ in range(50):  # warm-up
                await member.run(args.command)
            for _ in range(args.commands):
                reply = await member.run(args.command)
                assert reply.latency is not None, "the bot did not answer"
                latencies.append(reply.latency * 1000)
    print(
        json.dumps(
            {
                "commands": args.commands,
                "command": args.command,
                "p50_ms": round(statistics.median(latencies), 2),
                "p99_ms": round(percentile(latencies, 0.99), 2),
                "max_ms": round(max(latencies), 2),
            }
        )
    )


if __name__ == "__main__":
    asyncio.run(main())
