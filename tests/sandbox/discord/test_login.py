"""Login, READY and GUILD_CREATE."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
import pytest

from bot.discord_endpoint import use_api_base
from sandbox.discord import DiscordSandbox, SandboxGuild

if TYPE_CHECKING:
    from tests.sandbox.discord.conftest import SandboxTestBot


async def test_bot_logs_in_and_sees_its_guild(
    sandbox: DiscordSandbox, guild: SandboxGuild, bot: SandboxTestBot
) -> None:
    seen = bot.get_guild(guild.id)
    assert seen is not None
    assert {c.name for c in seen.channels} == {"general", "questions", "lounge"}
    assert seen.chunked
    assert seen.me.id == sandbox.bot_user_id
    assert sandbox.calls.count("GET /users/@me") == 1
    assert sandbox.calls.count("GET /oauth2/applications/@me") == 1
    assert sandbox.gateway.identify_count == 1


async def test_bot_registers_guild_commands(
    sandbox: DiscordSandbox, guild: SandboxGuild, bot: SandboxTestBot
) -> None:
    names = {c.name for c in sandbox.state.commands[guild.id]}
    assert {"echo", "subscribe", "membership", "Mark as answer"} <= names


async def test_guild_created_after_connect_is_sent_live(
    sandbox: DiscordSandbox, bot: SandboxTestBot
) -> None:
    late = sandbox.create_guild("Late")
    await sandbox.wait_for(lambda: bot.get_guild(late.id))


async def test_wrong_token_fails_login(sandbox: DiscordSandbox) -> None:
    use_api_base(sandbox.api_base)
    client = discord.Client(intents=discord.Intents.default())
    try:
        with pytest.raises(discord.LoginFailure):
            await client.login("not-the-token")
    finally:
        await client.close()
        use_api_base("")
    assert sandbox.calls.last("GET /users/@me").status == 401
