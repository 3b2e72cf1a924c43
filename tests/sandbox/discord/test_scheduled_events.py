"""Guild scheduled events: created in a voice channel, interest listed, voice presence."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import discord
import pytest

from sandbox.discord import DiscordSandbox, SandboxGuild

if TYPE_CHECKING:
    from tests.sandbox.discord.conftest import SandboxTestBot

START = datetime.now(UTC) + timedelta(days=1)


async def test_an_event_in_a_voice_channel_lists_who_is_interested(
    sandbox: DiscordSandbox, guild: SandboxGuild, bot: SandboxTestBot
) -> None:
    lounge = guild.create_voice_channel("lounge")
    alice = await guild.join("alice")
    data = await bot.http.create_guild_scheduled_event(
        guild.id, name="Office hours", privacy_level=2, entity_type=2,
        channel_id=str(lounge.id), scheduled_start_time=START.isoformat(),
    )  # fmt: skip
    await alice.mark_interested(int(data["id"]))

    users = await bot.http.get_scheduled_event_users(guild.id, int(data["id"]), limit=100,
                                                     with_member=False)  # fmt: skip

    assert data["channel_id"] == str(lounge.id) and data["entity_type"] == 2
    assert [u["user"]["id"] for u in users] == [str(alice.id)]


async def test_an_event_in_a_text_channel_is_refused(
    sandbox: DiscordSandbox, guild: SandboxGuild, bot: SandboxTestBot
) -> None:
    with pytest.raises(discord.HTTPException) as refused:
        await bot.http.create_guild_scheduled_event(
            guild.id, name="Office hours", privacy_level=2, entity_type=2,
            channel_id=str(guild.channel("general").id), scheduled_start_time=START.isoformat(),
        )  # fmt: skip
    assert refused.value.status == 400
