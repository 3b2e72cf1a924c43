"""Gateway behaviour: resume after a drop, re-identify, reconnect, sharding, intents."""

from __future__ import annotations

from typing import TYPE_CHECKING

import aiohttp
import discord

from sandbox.discord import DiscordSandbox, SandboxGuild

if TYPE_CHECKING:
    from tests.sandbox.discord.conftest import Connect, SandboxTestBot


async def test_dropped_gateway_resumes_and_replays_missed_events(
    sandbox: DiscordSandbox, guild: SandboxGuild, bot: SandboxTestBot
) -> None:
    assert await sandbox.drop_gateway() == 1
    missed = await guild.join("alice")
    await sandbox.wait_for(lambda: bot.joined)
    assert bot.joined[0].id == missed.id
    assert (sandbox.gateway.identify_count, sandbox.gateway.resume_count) == (1, 1)
    await sandbox.wait_for(lambda: bot.resumed_count == 1)


async def test_invalidated_session_reidentifies(
    sandbox: DiscordSandbox, guild: SandboxGuild, bot: SandboxTestBot
) -> None:
    await sandbox.drop_gateway(resumable=False)
    await sandbox.wait_for(lambda: sandbox.gateway.identify_count == 2)
    await sandbox.wait_until_ready()
    alice = await guild.join("alice")
    await sandbox.wait_for(lambda: [m.id for m in bot.joined] == [alice.id])
    assert sandbox.gateway.resume_count == 0


async def test_reconnect_opcode_makes_client_resume(
    sandbox: DiscordSandbox, bot: SandboxTestBot
) -> None:
    await sandbox.request_reconnect()
    await sandbox.wait_for(lambda: sandbox.gateway.resume_count == 1)
    assert sandbox.gateway.identify_count == 1


async def test_json_answers_have_exact_content_type(
    sandbox: DiscordSandbox,
) -> None:
    headers = {"Authorization": f"Bot {sandbox.token}"}
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"{sandbox.api_base}/api/v10/users/@me", headers=headers) as response,
    ):
        assert response.headers["Content-Type"] == "application/json"


class QuickShardedBot(discord.AutoShardedClient):
    """An AutoShardedClient without the 5 s pause between shard identifies."""

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """No identify rate limit in the sandbox."""


class ContentBlindClient(discord.Client):
    """A client without the message content intent that records messages."""

    def __init__(self) -> None:
        super().__init__(intents=discord.Intents.default(), guild_ready_timeout=0.01)
        self.seen: list[discord.Message] = []

    async def on_message(self, message: discord.Message) -> None:
        """Record the message."""
        self.seen.append(message)


async def test_auto_sharded_client_connects_every_shard(connect: Connect[discord.Client]) -> None:
    async with DiscordSandbox(shard_count=2) as sandbox:
        guilds = [sandbox.create_guild(f"g{n}") for n in range(3)]
        client = QuickShardedBot(intents=discord.Intents.default(), guild_ready_timeout=0.01)
        async with connect(client, sandbox):
            assert client.shard_count == 2
            assert {g.id for g in client.guilds} == {g.id for g in guilds}
            assert sandbox.calls.count("GET /gateway/bot") == 1
            live = [s.shard for s in sandbox.gateway.live_sessions()]
            assert None not in live
            assert sorted(shard for shard in live if shard) == [(0, 2), (1, 2)]


async def test_without_message_content_intent_member_text_is_hidden(
    sandbox: DiscordSandbox, guild: SandboxGuild, connect: Connect[ContentBlindClient]
) -> None:
    async with connect(ContentBlindClient(), sandbox) as client:
        await guild.owner.say(guild.channel("general"), "secret")
        await sandbox.wait_for(lambda: client.seen)
        assert client.seen[0].content == ""


async def test_pushed_messages_all_reach_the_bot(
    sandbox: DiscordSandbox, guild: SandboxGuild, bot: SandboxTestBot
) -> None:
    alice = await guild.join("alice")
    ids = await sandbox.push_messages(guild.channel("general"), alice, 500)
    await sandbox.wait_for(lambda: len(bot.seen_messages) == 500)
    assert [m.id for m in bot.seen_messages] == ids


async def test_gateway_outage_holds_the_client_off_until_it_ends(
    sandbox: DiscordSandbox, bot: SandboxTestBot
) -> None:
    async with sandbox.gateway_outage() as dropped:
        assert dropped == 1
        await sandbox.wait_for(lambda: not bot.ws.open and len(sandbox.gateway.connections) == 1)
        assert sandbox.gateway.live_sessions() == []
    await sandbox.wait_for(lambda: bot.resumed_count == 1, timeout=10)
    assert bot.ws.open and sandbox.gateway.resume_count == 1
