"""Invites as Discord keeps them: use counts, the vanity URL, and their gateway events."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
import pytest

from sandbox.discord import DiscordSandbox, Perm, SandboxGuild

if TYPE_CHECKING:
    from tests.sandbox.discord.conftest import SandboxTestBot


def _manage_server(guild: SandboxGuild) -> None:
    guild.edit_role(guild.bot_role, permissions=Perm.BOT | Perm.MANAGE_GUILD)


async def test_joining_through_an_invite_counts_a_use(
    sandbox: DiscordSandbox, guild: SandboxGuild, bot: SandboxTestBot
) -> None:
    _manage_server(guild)
    invite = guild.create_invite(code="spring")
    await guild.join("alice", invite="spring")

    listed = await bot.cached_guild(guild.id).invites()

    assert [(i.code, i.uses) for i in listed] == [("spring", 1)]
    assert invite.uses == 1


async def test_listing_invites_needs_manage_server(
    sandbox: DiscordSandbox, guild: SandboxGuild, bot: SandboxTestBot
) -> None:
    guild.create_invite(code="spring")

    with pytest.raises(discord.Forbidden) as raised:
        await bot.cached_guild(guild.id).invites()

    assert raised.value.code == 50013


async def test_the_vanity_url_counts_its_uses(
    sandbox: DiscordSandbox, guild: SandboxGuild, bot: SandboxTestBot
) -> None:
    _manage_server(guild)
    guild.set_vanity_url("lyceum")
    await sandbox.wait_for(lambda: "VANITY_URL" in bot.cached_guild(guild.id).features)
    await guild.join("alice", invite="lyceum")

    answer = await bot.http.get_vanity_code(guild.id)

    assert (answer["code"], answer.get("uses")) == ("lyceum", 1)


async def test_creating_and_revoking_an_invite_dispatches_both_events(
    sandbox: DiscordSandbox, guild: SandboxGuild, bot: SandboxTestBot
) -> None:
    guild.create_invite(code="spring")
    created = await sandbox.wait_for_event("INVITE_CREATE", lambda d: d["code"] == "spring")
    guild.delete_invite("spring")
    deleted = await sandbox.wait_for_event("INVITE_DELETE", lambda d: d["code"] == "spring")

    assert created["uses"] == 0 and created["guild_id"] == str(guild.id)
    assert deleted["guild_id"] == str(guild.id)


async def test_an_invite_used_up_is_deleted(
    sandbox: DiscordSandbox, guild: SandboxGuild, bot: SandboxTestBot
) -> None:
    guild.create_invite(code="once", max_uses=1)
    await guild.join("alice", invite="once")

    await sandbox.wait_for_event("INVITE_DELETE", lambda d: d["code"] == "once")
    assert "once" not in guild.invites
