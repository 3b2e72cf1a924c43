"""The activity cog records what members do, skipping bots and never storing content."""

from __future__ import annotations

from pathlib import Path

from sandbox.community import Community
from tests.conftest import sqlite_only
from tests.e2e.helpers import eventually_logged, logged, member_row


async def test_join_creates_the_member_and_logs_it(community: Community) -> None:
    alice = await community.guild.join("alice")
    [join] = await eventually_logged(community, user_id=alice.id, kind="join")
    member = await member_row(community, alice.id)
    assert member is not None and member.in_guild
    assert join.guild_id == community.guild.id


@sqlite_only  # reads the database file
async def test_message_is_logged_without_its_content(community: Community, tmp_path: Path) -> None:
    alice = await community.guild.join("alice")
    sent = await alice.say(community.channel("general"), "my very secret launch plan")
    [row] = await eventually_logged(community, user_id=alice.id, kind="message")
    assert row.source_key == f"message:{sent.id}"
    assert row.channel_id == community.channel("general").id
    stored = b"".join(path.read_bytes() for path in tmp_path.glob("lyceum.db*"))
    assert b"secret launch plan" not in stored


async def test_reply_is_logged_as_a_reply(community: Community) -> None:
    alice = await community.guild.join("alice")
    bob = await community.guild.join("bob")
    question = await alice.say(community.channel("general"), "anyone?")
    await bob.say(community.channel("general"), "me", reply_to=question)
    rows = await eventually_logged(community, count=2, user_id=bob.id)
    assert sorted(r.kind for r in rows) == ["join", "reply"]


async def test_bots_are_never_recorded(community: Community) -> None:
    other_bot = await community.guild.join("helper-bot", bot=True)
    await other_bot.say(community.channel("general"), "beep")
    human = await community.guild.join("alice")
    await human.say(community.channel("general"), "hi")
    await eventually_logged(community, user_id=human.id, kind="message")
    assert await logged(community, user_id=other_bot.id) == []
    assert await member_row(community, other_bot.id) is None


async def test_reaction_is_logged(community: Community) -> None:
    alice = await community.guild.join("alice")
    bob = await community.guild.join("bob")
    message = await alice.say(community.channel("general"), "look")
    await bob.react(message, "👍")
    [row] = await eventually_logged(community, user_id=bob.id, kind="reaction")
    assert row.ref == str(message.id)


async def test_leave_marks_the_member_gone(community: Community) -> None:
    alice = await community.guild.join("alice")
    await alice.leave()
    await eventually_logged(community, user_id=alice.id, kind="leave")
    member = await member_row(community, alice.id)
    assert member is not None and not member.in_guild and member.left_at is not None


async def test_voice_join_is_logged(community: Community) -> None:
    alice = await community.guild.join("alice")
    await alice.join_voice(community.channel("lounge"))
    [row] = await eventually_logged(community, user_id=alice.id, kind="voice_join")
    assert row.channel_id == community.channel("lounge").id


async def test_forum_post_is_logged_as_thread_creation(community: Community) -> None:
    alice = await community.guild.join("alice")
    post = await alice.create_post(community.channel("questions"), "How to X?", "details")
    rows = await eventually_logged(community, user_id=alice.id, kind="thread_create")
    assert rows[0].ref == str(post.id)


async def test_slash_command_is_logged_by_name(community: Community) -> None:
    alice = await community.guild.join("alice")
    reply = await alice.run("/help")
    assert reply.ephemeral
    [row] = await eventually_logged(community, user_id=alice.id, kind="command")
    assert row.ref == "help"


async def test_members_there_before_the_bot_are_on_the_roster(community: Community) -> None:
    owner = community.owner
    [join] = await eventually_logged(community, user_id=owner.id, kind="join")
    member = await member_row(community, owner.id)
    assert member is not None and member.in_guild and member.join_source == "roster"
    assert join.at == member.first_joined_at
