"""Slash commands, autocomplete, subcommand groups and context menus, run by a member."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from sandbox.discord import CommandNotAvailable, DiscordSandbox, Perm, SandboxGuild

if TYPE_CHECKING:
    from tests.sandbox.discord.conftest import SandboxTestBot


async def test_slash_command_reply_is_ephemeral(guild: SandboxGuild, bot: SandboxTestBot) -> None:
    alice = await guild.join("alice")
    reply = await alice.run("/echo", text="hi", times=2)
    assert (reply.type, reply.content, reply.ephemeral) == (4, "hi hi", True)
    assert reply.latency is not None and reply.latency > 0
    assert reply.message not in guild.channel("general").messages


async def test_deferred_command_is_answered_by_followup(
    guild: SandboxGuild, bot: SandboxTestBot
) -> None:
    alice = await guild.join("alice")
    reply = await alice.run("/slow")
    assert (reply.type, reply.content, reply.ephemeral) == (5, "done thinking", False)
    assert reply.message in guild.channel("general").messages


async def test_autocomplete_returns_bot_choices(guild: SandboxGuild, bot: SandboxTestBot) -> None:
    alice = await guild.join("alice")
    choices = await alice.autocomplete("/subscribe", "tier", "pr")
    assert [c["value"] for c in choices] == ["pro", "premium"]


async def test_subcommand_resolves_user_and_role_options(
    sandbox: DiscordSandbox, guild: SandboxGuild, bot: SandboxTestBot
) -> None:
    mod, alice = await guild.join("mod"), await guild.join("alice")
    await guild.give_role(mod, guild.create_role("Mods", permissions=Perm.MANAGE_ROLES))
    pro = guild.create_role("Pro")
    reply = await mod.run("/membership grant", user=alice, role=pro)
    assert reply.content == "granted Pro to alice"
    assert alice.has_role(pro)
    assert sandbox.calls.last(
        "PUT /guilds/{guild_id}/members/{user_id}/roles/{role_id}"
    ).reason == ("granted by test")


async def test_nested_group_command_runs(guild: SandboxGuild, bot: SandboxTestBot) -> None:
    reply = await guild.owner.run("/membership config show")
    assert reply.content == "config: default"


async def test_moderator_command_is_hidden_from_members(
    guild: SandboxGuild, bot: SandboxTestBot
) -> None:
    alice = await guild.join("alice")
    with pytest.raises(CommandNotAvailable):
        await alice.run("/membership config show")


async def test_missing_required_option_is_refused_like_the_client(
    guild: SandboxGuild, bot: SandboxTestBot
) -> None:
    alice = await guild.join("alice")
    with pytest.raises(ValueError, match="requires options"):
        await alice.run("/echo")


async def test_message_command_targets_the_message(
    guild: SandboxGuild, bot: SandboxTestBot
) -> None:
    alice, bob = await guild.join("alice"), await guild.join("bob")
    answer = await bob.say(guild.channel("general"), "use a dict")
    reply = await alice.run_message_command("Mark as answer", answer)
    assert reply.content == f"marked {answer.id} by bob"


async def test_user_command_targets_the_member(guild: SandboxGuild, bot: SandboxTestBot) -> None:
    alice, bob = await guild.join("alice"), await guild.join("bob")
    reply = await alice.run_user_command("Profile", bob)
    assert reply.content == "profile of bob"


async def test_command_reply_with_file_keeps_png(
    guild: SandboxGuild, bot: SandboxTestBot, png: bytes
) -> None:
    alice = await guild.join("alice")
    reply = await alice.run("/chart")
    [picture] = reply.files
    assert (picture.filename, picture.content_type, picture.data) == ("chart.png", "image/png", png)


async def test_attachment_option_is_readable_by_bot(
    sandbox: DiscordSandbox, guild: SandboxGuild, bot: SandboxTestBot
) -> None:
    alice = await guild.join("alice")
    upload = sandbox.attachment("notes.txt", b"12345")
    reply = await alice.run("/inspect", file=upload)
    assert reply.content == "notes.txt: 5 bytes"


async def test_late_interaction_response_is_unknown_interaction(
    sandbox: DiscordSandbox, guild: SandboxGuild, bot: SandboxTestBot
) -> None:
    sandbox.backend.interactions.response_deadline = 0.0
    alice = await guild.join("alice")
    with pytest.raises(TimeoutError):
        await alice.run("/echo", text="late", timeout=0.2)
    late = sandbox.calls.last("POST /interactions/{interaction_id}/{interaction_token}/callback")
    assert late.status == 404
