"""Messages both ways, DMs, files, reactions and forum posts."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import discord
import pytest

from sandbox.discord import DiscordError, DiscordSandbox, SandboxGuild

if TYPE_CHECKING:
    from tests.sandbox.discord.conftest import SandboxTestBot


async def test_member_reply_reaches_on_message(
    sandbox: DiscordSandbox, guild: SandboxGuild, bot: SandboxTestBot
) -> None:
    alice, bob = await guild.join("alice"), await guild.join("bob")
    general = guild.channel("general")
    question = await alice.say(general, "how do I sort a dict?")
    await bob.say(general, f"{alice.mention} use sorted()", reply_to=question)
    seen = await sandbox.wait_for(
        lambda: bot.seen_messages if len(bot.seen_messages) == 2 else None
    )
    answer = seen[1]
    assert answer.reference is not None and answer.reference.message_id == question.id
    assert [u.id for u in answer.mentions] == [alice.id]
    assert answer.author.id == bob.id and answer.guild is not None


async def test_bot_message_is_echoed_as_message_create(
    sandbox: DiscordSandbox, guild: SandboxGuild, bot: SandboxTestBot
) -> None:
    sent = await bot.text_channel(guild.channel("general").id).send("hello")
    await sandbox.wait_for(lambda: any(m.id == sent.id for m in bot.seen_messages))
    assert guild.channel("general").messages[-1].content == "hello"


async def test_bot_dm_reaches_member(guild: SandboxGuild, bot: SandboxTestBot) -> None:
    alice = await guild.join("alice")
    user = await bot.fetch_user(alice.id)
    await user.send("welcome!")
    assert [m.content for m in alice.dms] == ["welcome!"]


async def test_dm_to_member_with_closed_dms_is_forbidden(
    guild: SandboxGuild, bot: SandboxTestBot
) -> None:
    alice = await guild.join("alice")
    alice.dms_open = False
    user = await bot.fetch_user(alice.id)
    with pytest.raises(discord.Forbidden) as raised:
        await user.send("welcome!")
    assert (raised.value.code, raised.value.text) == (50007, "Cannot send messages to this user")
    assert alice.dms == []


async def test_multipart_upload_keeps_png(
    sandbox: DiscordSandbox, guild: SandboxGuild, bot: SandboxTestBot, png: bytes
) -> None:
    channel = bot.text_channel(guild.channel("general").id)
    sent = await channel.send("chart", file=discord.File(io.BytesIO(png), "chart.png"))
    stored = guild.channel("general").messages[-1].attachments[0]
    assert (stored.filename, stored.content_type, stored.data) == ("chart.png", "image/png", png)
    assert await sent.attachments[0].read() == png
    assert sandbox.calls.last("POST /channels/{channel_id}/messages").files == [
        ("chart.png", "application/octet-stream", len(png))
    ]


async def test_reaction_reaches_bot(
    sandbox: DiscordSandbox, guild: SandboxGuild, bot: SandboxTestBot
) -> None:
    alice = await guild.join("alice")
    message = await alice.say(guild.channel("general"), "nice")
    await alice.react(message, "👍")
    seen = await sandbox.wait_for(lambda: bot.reactions)
    assert (seen[0].user_id, seen[0].message_id, str(seen[0].emoji)) == (alice.id, message.id, "👍")


async def test_bot_forum_post_has_tags_and_first_message(
    sandbox: DiscordSandbox, guild: SandboxGuild, bot: SandboxTestBot
) -> None:
    forum_model = guild.channel("questions")
    forum = bot.get_channel(forum_model.id)
    assert isinstance(forum, discord.ForumChannel)
    python = forum.get_tag(forum_model.tag("python").id)
    assert python is not None
    created = await forum.create_thread(name="Sorting", content="How?", applied_tags=[python])
    thread = guild.channel("Sorting")
    assert thread.applied_tags == [forum_model.tag("python").id]
    assert thread.messages[0].id == thread.id == created.message.id
    event = await sandbox.wait_for_event("THREAD_CREATE")
    assert event["newly_created"] is True


async def test_member_forum_post_reaches_bot(
    sandbox: DiscordSandbox, guild: SandboxGuild, bot: SandboxTestBot
) -> None:
    alice = await guild.join("alice")
    post = await alice.create_post(guild.channel("questions"), "Sorting", "How?", tags=["python"])
    thread = await sandbox.wait_for(lambda: bot.get_channel(post.id))
    assert isinstance(thread, discord.Thread)
    assert [t.name for t in thread.applied_tags] == ["python"]
    await sandbox.wait_for(lambda: [m.content for m in bot.seen_messages] == ["How?"])


async def test_bot_archives_locks_and_retags_thread(
    guild: SandboxGuild, bot: SandboxTestBot
) -> None:
    alice = await guild.join("alice")
    forum = guild.channel("questions")
    post = await alice.create_post(forum, "Sorting", "How?", tags=["python"])
    thread = await bot.fetch_channel(post.id)
    assert isinstance(thread, discord.Thread)
    assert isinstance(thread.parent, discord.ForumChannel)
    solved = thread.parent.get_tag(forum.tag("solved").id)
    assert solved is not None
    await thread.edit(archived=True, locked=True, applied_tags=[solved])
    assert (post.archived, post.locked, post.applied_tags) == (True, True, [solved.id])


async def test_bot_starts_thread_on_message(guild: SandboxGuild, bot: SandboxTestBot) -> None:
    alice = await guild.join("alice")
    message = await alice.say(guild.channel("general"), "discuss?")
    fetched = await bot.text_channel(message.channel_id).fetch_message(message.id)
    thread = await fetched.create_thread(name="discussion")
    assert thread.id == message.id == guild.channel("discussion").id


async def test_member_cannot_post_in_locked_thread(
    guild: SandboxGuild, bot: SandboxTestBot
) -> None:
    alice = await guild.join("alice")
    post = await alice.create_post(guild.channel("questions"), "Sorting", "How?")
    thread = await bot.fetch_channel(post.id)
    assert isinstance(thread, discord.Thread)
    await thread.edit(archived=True, locked=True)
    with pytest.raises(DiscordError) as raised:
        await alice.say(post, "bump")
    assert raised.value.code == 50083
