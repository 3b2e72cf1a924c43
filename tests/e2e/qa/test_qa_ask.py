"""/ask with the real bot: the modal, quality gates, the thread, duplicates before posting."""

from __future__ import annotations

from sandbox.community import Community
from tests.e2e.helpers import eventually_logged
from tests.e2e.qa.qa_support import DETAILS, TITLE, ask, asked, questions


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
