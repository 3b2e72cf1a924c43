"""`lyceum run` as a child process against the stand-ins: for tests that send it signals,
and for benchmarks that keep the bot on its own core, apart from Discord's stand-in and
the crowd driving it (as in production, where Discord is not in the bot's process)."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from asyncio.subprocess import Process
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path

from sandbox.community import PreparedCommunity, prepare_community
from sandbox.discord import DiscordSandbox
from sandbox.stripe import StripeSandbox


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@asynccontextmanager
async def lyceum_run(
    tmp_path: Path, **overrides: Mapping[str, object]
) -> AsyncIterator[tuple[PreparedCommunity, Process, int]]:
    """`lyceum run` in a child process against fresh stand-ins; killed if still running."""
    async with (
        DiscordSandbox() as discord_sb,
        StripeSandbox() as stripe_sb,
        lyceum_child(discord_sb, stripe_sb, tmp_path, **overrides) as started,
    ):
        yield started


@asynccontextmanager
async def lyceum_child(
    discord_sb: DiscordSandbox,
    stripe_sb: StripeSandbox,
    tmp_path: Path,
    **overrides: Mapping[str, object],
) -> AsyncIterator[tuple[PreparedCommunity, Process, int]]:
    """`lyceum run` on the given stand-ins, once it has identified on the gateway."""
    port = free_port()
    settings: dict[str, Mapping[str, object]] = {"web": {"port": port}, **overrides}
    prepared = await prepare_community(discord_sb, stripe_sb, tmp_path, overrides=settings)
    async with child(prepared) as process:
        # Generous: starting Python and importing the app takes seconds on a busy machine.
        await discord_sb.wait_for(lambda: discord_sb.gateway.identify_count >= 1, timeout=60)
        yield prepared, process, port


@asynccontextmanager
async def child(prepared: PreparedCommunity) -> AsyncIterator[Process]:
    """`lyceum run --config ...` as a child process, killed if still running at the end."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", "--config", str(prepared.config_path),
        env={**os.environ, **prepared.environment},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    try:
        yield process
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
