"""Injected REST faults, and how the real discord.py client copes with them."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import discord
import pytest

from sandbox.discord import DiscordSandbox, SandboxGuild

if TYPE_CHECKING:
    from tests.sandbox.discord.conftest import SandboxTestBot

SEND = "POST /channels/{channel_id}/messages"


async def test_rate_limited_send_is_retried_after_retry_after(
    sandbox: DiscordSandbox, guild: SandboxGuild, bot: SandboxTestBot
) -> None:
    sandbox.faults.rate_limit(SEND, retry_after=0.05, times=1)
    await bot.text_channel(guild.channel("general").id).send("hi")
    assert [c.status for c in sandbox.calls.filter(SEND)] == [429, 200]
    assert [m.content for m in guild.channel("general").messages] == ["hi"]


async def test_500_once_is_retried_and_succeeds(
    sandbox: DiscordSandbox, guild: SandboxGuild, bot: SandboxTestBot
) -> None:
    # discord.py retries 500/502/504/524 up to 5 tries, sleeping 1 + 2*try seconds in between.
    sandbox.faults.fail(SEND, status=500, times=1)
    await bot.text_channel(guild.channel("general").id).send("hi")
    assert [c.status for c in sandbox.calls.filter(SEND)] == [500, 200]


async def test_503_is_not_retried_by_discord_py(
    sandbox: DiscordSandbox, guild: SandboxGuild, bot: SandboxTestBot
) -> None:
    sandbox.faults.fail(SEND, status=503, times=1)
    with pytest.raises(discord.DiscordServerError):
        await bot.text_channel(guild.channel("general").id).send("hi")
    assert guild.channel("general").messages == []


async def test_slow_route_delays_the_answer(
    sandbox: DiscordSandbox, guild: SandboxGuild, bot: SandboxTestBot
) -> None:
    alice = await guild.join("alice")
    sandbox.faults.slow("GET /users/{user_id}", 0.2, times=1)
    started = time.perf_counter()
    await bot.fetch_user(alice.id)
    assert time.perf_counter() - started >= 0.2


def test_fault_on_unknown_route_template_is_refused(sandbox: DiscordSandbox) -> None:
    with pytest.raises(ValueError, match="unknown route template"):
        sandbox.faults.fail("POST /channels/{id}/messages")


async def test_unimplemented_route_is_recorded_as_404(
    sandbox: DiscordSandbox, guild: SandboxGuild, bot: SandboxTestBot
) -> None:
    with pytest.raises(discord.NotFound):
        await bot.cached_guild(guild.id).fetch_emojis()
    [missing] = sandbox.calls.unknown()
    assert missing.route == f"UNKNOWN GET /guilds/{guild.id}/emojis"


def test_queued_error_faults_answer_one_call_each_in_order(sandbox: DiscordSandbox) -> None:
    sandbox.faults.fail(SEND, status=500, times=1)
    sandbox.faults.rate_limit(SEND, times=1)
    statuses = [[f.status for f in sandbox.faults.take(SEND)] for _ in range(3)]
    assert statuses == [[500], [429], []]


def test_delays_stack_on_top_of_the_next_error_fault(sandbox: DiscordSandbox) -> None:
    sandbox.faults.slow(SEND, 0.1, times=2)
    sandbox.faults.slow("*", 0.2, times=1)
    sandbox.faults.fail(SEND, status=502, times=1)
    first = sandbox.faults.take(SEND)
    assert [(f.delay, f.status) for f in first] == [(0.1, None), (0.2, None), (0.0, 502)]
    assert [(f.delay, f.status) for f in sandbox.faults.take(SEND)] == [(0.1, None)]


async def test_a_500_then_a_429_on_one_route_both_reach_the_bot(
    sandbox: DiscordSandbox, guild: SandboxGuild, bot: SandboxTestBot
) -> None:
    sandbox.faults.fail(SEND, status=500, times=1)
    sandbox.faults.rate_limit(SEND, retry_after=0.05, times=1)
    await bot.text_channel(guild.channel("general").id).send("hi")
    assert [c.status for c in sandbox.calls.filter(SEND)] == [500, 429, 200]
