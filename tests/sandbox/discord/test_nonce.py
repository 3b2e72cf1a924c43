"""Message nonces: with `enforce_nonce`, a repeated nonce returns the first message."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sandbox.discord import DiscordSandbox, SandboxGuild

if TYPE_CHECKING:
    from tests.sandbox.discord.conftest import SandboxTestBot


async def test_a_repeated_enforced_nonce_returns_the_first_message(
    sandbox: DiscordSandbox, guild: SandboxGuild, bot: SandboxTestBot
) -> None:
    channel = bot.text_channel(guild.channel("general").id)
    first = await channel.send("drop", nonce="d42")
    second = await channel.send("drop", nonce="d42")

    assert second.id == first.id
    assert [m.content for m in guild.channel("general").messages] == ["drop"]


async def test_a_nonce_past_the_window_posts_again(
    sandbox: DiscordSandbox, guild: SandboxGuild, bot: SandboxTestBot
) -> None:
    sandbox.backend.messages.nonce_window_s = 0.0
    channel = bot.text_channel(guild.channel("general").id)
    first = await channel.send("drop", nonce="d42")
    second = await channel.send("drop", nonce="d42")

    assert second.id != first.id and len(guild.channel("general").messages) == 2


async def test_the_create_answer_echoes_the_nonce(
    sandbox: DiscordSandbox, guild: SandboxGuild, bot: SandboxTestBot
) -> None:
    sent = await bot.text_channel(guild.channel("general").id).send("hi", nonce="n1")
    assert sent.nonce == "n1"
