"""A question's life with the real bot: answered, marked, confirmed, raced, archived."""

from __future__ import annotations

import asyncio

from sandbox.community import Community
from tests.e2e.helpers import eventually_logged
from tests.e2e.qa.qa_support import accepted_rows, answered_by, answers, asked, question

MARK = "Mark as answer"


async def test_a_reply_by_another_member_answers_the_question(community: Community) -> None:
    alice, bob = await community.guild.join("alice"), await community.guild.join("bob")
    stored, thread = await asked(community, alice)

    reply = await answered_by(community, bob, thread, "Use how='outer' and fill the keys first.")

    now = await question(community, stored.id or 0)
    assert now.status == "answered" and now.first_answerer_id == bob.id
    assert now.first_answer_at is not None
    assert await answers(community) == [reply.id]
    await eventually_logged(community, kind="answer", user_id=bob.id)


async def test_the_askers_own_reply_is_not_an_answer(community: Community) -> None:
    alice, bob = await community.guild.join("alice"), await community.guild.join("bob")
    stored, thread = await asked(community, alice)

    await alice.say(thread, "Also: the keys are floats.")
    await answered_by(community, bob, thread, "Cast the keys to strings first.")

    now = await question(community, stored.id or 0)
    assert now.first_answerer_id == bob.id and len(await answers(community)) == 1


async def test_the_asker_marks_an_answer_and_the_question_is_solved(community: Community) -> None:
    alice, bob = await community.guild.join("alice"), await community.guild.join("bob")
    stored, thread = await asked(community, alice)
    answer = await answered_by(community, bob, thread, "NaN never equals NaN: fill the keys.")

    reply = await alice.run_message_command(MARK, answer)

    assert reply.ephemeral and "Marked as the answer" in reply.content
    now = await question(community, stored.id or 0)
    assert now.status == "solved" and now.answerer_id == bob.id
    assert now.accepted_message_id == answer.id and now.answer_text == answer.content
    forum = community.channel("questions")
    assert forum.tag("solved").id in thread.applied_tags
    assert community.discord.bot_user_id in answer.reactions.get("✅", [])
    assert any(f"/{answer.id}" in m.content and "Solved" in m.content for m in thread.messages)
    await eventually_logged(community, kind="solved", user_id=alice.id)


async def test_a_third_members_mark_waits_for_the_askers_yes(community: Community) -> None:
    alice, bob = await community.guild.join("alice"), await community.guild.join("bob")
    carol = await community.guild.join("carol")
    stored, thread = await asked(community, alice)
    answer = await answered_by(community, bob, thread, "NaN never equals NaN: fill the keys.")

    suggestion = await carol.run_message_command(MARK, answer)
    ask_asker = await community.discord.wait_for(
        lambda: next((m for m in thread.messages if "Did it?" in m.content), None)
    )
    pending = await question(community, stored.id or 0)
    carol_click = await carol.click(ask_asker, "Yes, mark it")
    alice_click = await alice.click(ask_asker, "Yes, mark it")

    assert "asker was asked to confirm" in suggestion.content
    assert pending.status == "answered"
    assert alice.mention in ask_asker.content
    assert "Only the asker" in carol_click.content
    assert "Marked as the answer" in alice_click.content
    assert (await question(community, stored.id or 0)).status == "solved"


async def test_two_racing_marks_leave_one_accepted_answer(community: Community) -> None:
    alice, bob = await community.guild.join("alice"), await community.guild.join("bob")
    carol, mod = await community.guild.join("carol"), await community.moderator()
    stored, thread = await asked(community, alice)
    first = await answered_by(community, bob, thread, "Fill the NaN keys before merging.")
    second = await answered_by(community, carol, thread, "Drop the NaN keys, then merge.")

    replies = await asyncio.gather(
        alice.run_message_command(MARK, first), mod.run_message_command(MARK, second)
    )

    assert all(r.settled() for r in replies)
    [row] = await accepted_rows(community)
    now = await question(community, stored.id or 0)
    assert now.accepted_message_id == row.message_id and now.status == "solved"


async def test_marking_in_an_archived_thread_unarchives_it_first(community: Community) -> None:
    alice, bob = await community.guild.join("alice"), await community.guild.join("bob")
    _stored, thread = await asked(community, alice)
    answer = await answered_by(community, bob, thread, "NaN never equals NaN: fill the keys.")
    community.guild.archive(thread, locked=True)

    reply = await alice.run_message_command(MARK, answer)

    assert "Marked as the answer" in reply.content
    assert community.channel("questions").tag("solved").id in thread.applied_tags
    assert community.discord.bot_user_id in answer.reactions.get("✅", [])
    calls = community.discord.calls
    refused = [c for c in calls if isinstance(c.answer, dict) and c.answer.get("code") == 50083]
    assert refused == []
