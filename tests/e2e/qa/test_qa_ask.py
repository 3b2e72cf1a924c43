"""/ask with the real bot: the modal, quality gates, the thread, duplicates before posting."""

from __future__ import annotations

from sandbox.community import Community
from tests.e2e.helpers import eventually_logged
from tests.e2e.qa.qa_support import DETAILS, TITLE, ask, questions


async def test_ask_opens_a_forum_post_with_its_tags_and_a_guide(community: Community) -> None:
    alice = await community.guild.join("alice")

    reply = await ask(alice, tags=["python"])

    assert reply.ephemeral and "Your question is up" in reply.content
    [stored] = await questions(community)
    thread = community.discord.state.channels[stored.thread_id]
    forum = community.channel("questions")
    assert thread.parent_id == forum.id and thread.name == TITLE
    assert thread.applied_tags == [forum.tag("python").id]
    first = thread.messages[0]
    assert DETAILS in first.content and "Mark as answer" in first.content
    assert stored.status == "open" and stored.asker_id == alice.id
    await eventually_logged(community, kind="question", user_id=alice.id)


async def test_a_bare_help_title_is_refused_and_nothing_is_posted(community: Community) -> None:
    alice = await community.guild.join("alice")

    reply = await ask(alice, title="Help please!!!!!!!!!", details="It does not work at all, why?")

    assert reply.ephemeral and "says nothing about the problem" in reply.content
    assert await questions(community) == []
    assert community.channel("questions").messages == []


async def test_short_title_and_details_are_refused_with_both_reasons(community: Community) -> None:
    alice = await community.guild.join("alice")

    reply = await ask(alice, title="pandas merge", details="NaN keys?")

    assert "title is too short" in reply.content and "Add some details" in reply.content
    assert await questions(community) == []


async def test_a_refused_question_reopens_with_what_was_typed(community: Community) -> None:
    alice = await community.guild.join("alice")
    refused = await ask(alice, title="pandas merge", details=DETAILS)

    edit = await alice.click(refused, "Edit my question")
    assert edit.modal is not None
    typed = {field["custom_id"]: field.get("value") for field in edit.modal.inputs}
    fixed = await alice.submit_modal(edit.modal, {"Title: what are you stuck on?": TITLE})

    assert "pandas merge" in typed.values() and DETAILS in typed.values()
    assert "Your question is up" in fixed.content
    [stored] = await questions(community)
    assert stored.title == TITLE and stored.details == DETAILS
