"""Joins, leaves and roles, as the bot sees them and as Discord enforces them."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
import pytest

from sandbox.discord import DiscordSandbox, SandboxGuild

if TYPE_CHECKING:
    from tests.sandbox.discord.conftest import SandboxTestBot


async def test_join_triggers_on_member_join(
    sandbox: DiscordSandbox, guild: SandboxGuild, bot: SandboxTestBot
) -> None:
    alice = await guild.join("alice")
    joined = await sandbox.wait_for(lambda: bot.joined)
    assert joined[0].id == alice.id
    assert not joined[0].bot


async def test_role_added_by_bot_dispatches_member_update(
    sandbox: DiscordSandbox, guild: SandboxGuild, bot: SandboxTestBot
) -> None:
    bot.starter_role = "Member"
    alice = await guild.join("alice")
    await sandbox.wait_for(lambda: alice.has_role("Member"))
    update = await sandbox.wait_for_event(
        "GUILD_MEMBER_UPDATE", lambda d: d["user"]["id"] == str(alice.id)
    )
    assert update["roles"] == [str(guild.role("Member").id)]
    call = sandbox.calls.last("PUT /guilds/{guild_id}/members/{user_id}/roles/{role_id}")
    assert (call.status, call.reason) == (204, "welcome")
    cached = bot.cached_guild(guild.id)
    member_role = guild.role("Member").id
    await sandbox.wait_for(lambda: (m := cached.get_member(alice.id)) and m.get_role(member_role))


async def test_role_above_bot_is_forbidden(
    sandbox: DiscordSandbox, guild: SandboxGuild, bot: SandboxTestBot
) -> None:
    admin = guild.create_role("Admin", position=guild.bot_role.position + 1)
    alice = await guild.join("alice")
    member = await bot.cached_guild(guild.id).fetch_member(alice.id)
    with pytest.raises(discord.Forbidden) as raised:
        await member.add_roles(discord.Object(admin.id))
    assert (raised.value.status, raised.value.code, raised.value.text) == (
        403,
        50013,
        "Missing Permissions",
    )
    assert not alice.has_role(admin)


async def test_role_given_by_moderator_reaches_bot_cache(
    sandbox: DiscordSandbox, guild: SandboxGuild, bot: SandboxTestBot
) -> None:
    vip = guild.create_role("VIP")
    alice = await guild.join("alice")
    await guild.give_role(alice, vip)
    cached = bot.cached_guild(guild.id)
    await sandbox.wait_for(lambda: (m := cached.get_member(alice.id)) and m.get_role(vip.id))


async def test_member_who_left_is_unknown_member(
    sandbox: DiscordSandbox, guild: SandboxGuild, bot: SandboxTestBot
) -> None:
    alice = await guild.join("alice")
    await alice.leave()
    cached = bot.cached_guild(guild.id)
    await sandbox.wait_for(lambda: cached.get_member(alice.id) is None)
    with pytest.raises(discord.NotFound) as raised:
        await cached.fetch_member(alice.id)
    assert raised.value.code == 10007


async def test_role_created_live_reaches_bot(
    sandbox: DiscordSandbox, guild: SandboxGuild, bot: SandboxTestBot
) -> None:
    pro = guild.create_role("Pro")
    cached = bot.cached_guild(guild.id)
    role = await sandbox.wait_for(lambda: cached.get_role(pro.id))
    assert role.position < cached.me.top_role.position


async def test_voice_join_reaches_bot(
    sandbox: DiscordSandbox, guild: SandboxGuild, bot: SandboxTestBot
) -> None:
    alice = await guild.join("alice")
    await alice.join_voice(guild.channel("lounge"))
    member = await sandbox.wait_for(lambda: bot.cached_guild(guild.id).get_member(alice.id))
    channel = await sandbox.wait_for(lambda: member.voice.channel if member.voice else None)
    assert channel.name == "lounge"
