"""The runtime around the bot: health, reconnects and orderly shutdown."""

from __future__ import annotations

import asyncio
import signal
from asyncio.subprocess import Process
from pathlib import Path
from typing import Any

import aiohttp
import discord
import pytest
from sqlalchemy import text
from sqlmodel import select

from bot.runtime import running_app
from bot.settings import parse_settings
from sandbox.bot_process import child, free_port, lyceum_run
from sandbox.community import Community, PreparedCommunity, prepare_community, running_community
from sandbox.discord import DiscordSandbox, Reply
from sandbox.discord.waiting import poll
from sandbox.stripe import StripeSandbox
from storage.database import Database
from storage.interactions import Interaction
from tests.e2e.helpers import eventually_logged

CALLBACK = "POST /interactions/{interaction_id}/{interaction_token}/callback"


async def test_healthz_reports_database_and_gateway(community: Community) -> None:
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"{community.app.web_url}/healthz") as resp,
    ):
        body = await resp.json()
    assert resp.status == 200
    assert body["status"] == "ok" and body["database"] == "ok"
    assert body["gateway"]["ready"] and body["gateway"]["guilds"] == 1


async def _health_is(world: Community, status: int) -> dict[str, Any] | None:
    """/healthz's body when it answers with `status`, else None."""
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"{world.app.web_url}/healthz") as resp,
    ):
        body: dict[str, Any] = await resp.json()
    return body if resp.status == status else None


def _shards(body: dict[str, Any]) -> list[tuple[int, bool]]:
    return [(shard["id"], shard["connected"]) for shard in body["gateway"]["shards"]]


async def test_healthz_answers_503_while_the_gateway_is_down(community: Community) -> None:
    async with community.discord.gateway_outage():
        body = await poll(lambda: _health_is(community, 503), timeout=5)
    assert body["status"] == "degraded" and body["database"] == "ok"
    assert not body["gateway"]["connected"] and not body["gateway"]["ready"]


async def test_healthz_is_ok_again_once_the_gateway_resumes(community: Community) -> None:
    async with community.discord.gateway_outage():
        await poll(lambda: _health_is(community, 503), timeout=5)
    body = await poll(lambda: _health_is(community, 200), timeout=10)
    assert body["gateway"]["connected"] and community.discord.gateway.resume_count >= 1


async def test_healthz_reports_the_shards_a_sharded_bot_runs(tmp_path: Path) -> None:
    one_of_two = {"discord": {"shard_count": 2, "shard_ids": [1]}}
    async with running_community(tmp_path, overrides=one_of_two) as world:
        body = await poll(lambda: _health_is(world, 200), timeout=5)
    assert body["gateway"]["connected"] and _shards(body) == [(1, True)]


async def test_healthz_answers_503_while_one_shard_is_down(tmp_path: Path) -> None:
    async with (
        running_community(tmp_path, overrides={"discord": {"shard_count": 2}}) as world,
        world.discord.gateway_outage(shard_id=1),
    ):
        body = await poll(lambda: _health_is(world, 503), timeout=5)
    assert _shards(body) == [(0, True), (1, False)]


async def test_metrics_expose_the_interaction_log(community: Community) -> None:
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"{community.app.web_url}/metrics") as resp,
    ):
        text = await resp.text()
    assert resp.status == 200
    assert "lyceum_interactions_written_total" in text
    assert "lyceum_interactions_set_aside_total 0.0" in text
    assert 'lyceum_gateway_shard_connected{shard="0"} 1.0' in text


async def test_bot_resumes_after_a_dropped_gateway_and_keeps_recording(
    community: Community,
) -> None:
    alice = await community.guild.join("alice")
    await community.discord.drop_gateway()
    await alice.say(community.channel("general"), "still there?")
    await eventually_logged(community, user_id=alice.id, kind="message")
    assert community.discord.gateway.resume_count >= 1


async def test_leaving_the_app_flushes_the_interaction_log(tmp_path: Path) -> None:
    slow_flush = {"interaction_log": {"flush_interval_s": 3600}}
    async with running_community(tmp_path, overrides=slow_flush) as world:
        alice = await world.guild.join("alice")
        await alice.say(world.channel("general"), "hello")
        log = world.interaction_log
        await world.discord.wait_for(lambda: log.pending >= 2)
        assert log.stats.written == 0
    assert await _stored_kinds(tmp_path / "lyceum.db", alice.id) == ["join", "message"]


async def test_unreachable_discord_at_start_up_exits_1_with_one_clear_message(
    tmp_path: Path,
) -> None:
    nowhere = {"discord": {"api_base": f"http://127.0.0.1:{free_port()}"}}
    async with DiscordSandbox() as discord_sb, StripeSandbox() as stripe_sb:
        prepared = await prepare_community(discord_sb, stripe_sb, tmp_path, overrides=nowhere)
        async with child(prepared) as process:
            output, _ = await asyncio.wait_for(process.communicate(), timeout=20)
    assert process.returncode == 1, output.decode()
    assert output.count(b"cannot reach Discord at http://127.0.0.1:") == 1, output.decode()
    assert b"Traceback" not in output


async def _two_rows_pending(prepared: PreparedCommunity, port: int) -> int:
    alice = await prepared.guild.join("alice")
    await alice.say(prepared.guild.channel("general"), "before shutdown")
    await poll(lambda: _pending(port), timeout=10)
    return alice.id


async def _read_until(process: Process, marker: bytes, seconds: float) -> bytes:
    """The child's output up to and including the first line holding `marker`."""
    assert process.stdout is not None
    seen = b""
    async with asyncio.timeout(seconds):
        while marker not in seen:
            line = await process.stdout.readline()
            assert line, seen.decode()
            seen += line
    return seen


async def test_leaving_the_app_lets_a_running_command_finish(tmp_path: Path) -> None:
    with_two_step = ("tests.e2e.runtime_cog",)
    async with running_community(tmp_path, extra_extensions=with_two_step) as world:
        alice = await world.guild.join("alice")
        world.discord.faults.slow(CALLBACK, 0.3, times=1)
        running = asyncio.create_task(alice.run("/two-step"))
        await world.discord.wait_for(lambda: world.discord.calls.filter(CALLBACK))
    reply = await running
    assert reply.content == "step 1"
    assert [m.content for m in reply.followups] == ["step 2"]


@pytest.mark.parametrize(
    "sharding", [{}, {"discord": {"shard_count": 2}}], ids=["plain", "sharded"]
)
async def test_a_command_sent_while_extensions_unload_is_not_answered_with_an_error(
    tmp_path: Path, sharding: dict[str, dict[str, object]]
) -> None:
    hook_cog = "tests.e2e.shutdown_cog"
    attempts: list[asyncio.Task[Reply]] = []

    async def run_help_now() -> None:
        attempts.append(asyncio.create_task(alice.run("/help", timeout=1)))
        await asyncio.sleep(0.3)  # time for the bot to see it, if it still listens

    async with running_community(
        tmp_path, extra_extensions=(hook_cog,), overrides=sharding
    ) as world:
        alice = await world.guild.join("alice")
        # discord.py loads extensions as fresh modules: reach the one it loaded.
        world.app.bot.extensions[hook_cog].WHILE_UNLOADING.append(run_help_now)
    (outcome,) = await asyncio.gather(*attempts, return_exceptions=True)
    # Answered properly, or not at all (Discord then tells the member the app did not
    # respond); never "something went wrong" because the command was already unloaded.
    answered = isinstance(outcome, Reply) and bool(outcome.embeds)
    assert isinstance(outcome, TimeoutError) or answered, outcome
    assert not any("error id" in m.content for m in world.discord.state.messages.values())


async def test_sigterm_stops_lyceum_run_in_order_and_loses_nothing(tmp_path: Path) -> None:
    slow_flush = {"flush_interval_s": 3600}
    async with lyceum_run(tmp_path, interaction_log=slow_flush) as (prepared, process, port):
        alice_id = await _two_rows_pending(prepared, port)
        process.send_signal(signal.SIGTERM)
        output, _ = await asyncio.wait_for(process.communicate(), timeout=20)
    assert process.returncode == 0, output.decode()
    assert b"stopped cleanly" in output
    assert await _stored_kinds(tmp_path / "lyceum.db", alice_id) == ["join", "message"]


async def test_sigterm_while_the_database_fails_exits_at_the_deadline_counting_lost_rows(
    tmp_path: Path,
) -> None:
    failing = {"flush_interval_s": 3600, "close_timeout_s": 0.5}
    async with lyceum_run(tmp_path, interaction_log=failing) as (prepared, process, port):
        await _two_rows_pending(prepared, port)
        await _hide_interactions(tmp_path / "lyceum.db")
        process.send_signal(signal.SIGTERM)
        output, _ = await asyncio.wait_for(process.communicate(), timeout=20)
    assert process.returncode == 1, output.decode()
    assert b"stopped, but 2 interaction rows were not written" in output


async def test_a_second_sigterm_forces_lyceum_run_to_exit(tmp_path: Path) -> None:
    stuck = {"flush_interval_s": 3600, "close_timeout_s": 3600, "max_attempts": 1000}
    async with lyceum_run(tmp_path, interaction_log=stuck) as (prepared, process, port):
        await _two_rows_pending(prepared, port)
        await _hide_interactions(tmp_path / "lyceum.db")
        process.send_signal(signal.SIGTERM)
        before = await _read_until(process, b"writing 2 rows failed", seconds=20)
        process.send_signal(signal.SIGTERM)
        output, _ = await asyncio.wait_for(process.communicate(), timeout=10)
    assert process.returncode == 1, (before + output).decode()
    assert b"received again" in output and b"2 interaction rows were not written" in output


async def _hide_interactions(path: Path) -> None:
    """Make every insert into the interaction log fail while the database still answers."""
    db = Database.from_url(f"sqlite+aiosqlite:///{path}")
    try:
        async with db.engine.begin() as conn:
            await conn.execute(text("ALTER TABLE interactions RENAME TO interactions_away"))
    finally:
        await db.close()


async def _pending(port: int) -> bool:
    try:
        async with (
            aiohttp.ClientSession() as http,
            http.get(f"http://127.0.0.1:{port}/healthz") as resp,
        ):
            body = await resp.json()
    except aiohttp.ClientError:
        return False
    return bool(body["interaction_log"]["pending"] >= 2)


async def _stored_kinds(path: Path, user_id: int) -> list[str]:
    db = Database.from_url(f"sqlite+aiosqlite:///{path}")
    try:
        async with db.read() as session:
            rows = await session.exec(
                select(Interaction.kind).where(Interaction.user_id == user_id)
            )
            return sorted(rows.all())
    finally:
        await db.close()


async def test_a_wrong_token_stops_start_up_with_a_login_error(tmp_path: Path) -> None:
    async with DiscordSandbox() as discord_sb, StripeSandbox() as stripe_sb:
        prepared = await prepare_community(discord_sb, stripe_sb, tmp_path)
        environment = {**prepared.environment, "DISCORD_TOKEN": "not-the-token"}
        settings = parse_settings(prepared.config_text, environment)
        with pytest.raises(discord.LoginFailure):
            async with running_app(settings, wait_until_ready=10):
                pass
