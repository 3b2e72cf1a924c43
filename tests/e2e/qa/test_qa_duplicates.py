"""Duplicates before posting: found by an earlier question's words or its accepted answer."""

from __future__ import annotations

from sandbox.community import Community
from tests.e2e.helpers import eventually_logged
from tests.e2e.qa.qa_support import answered_by, ask, asked, question, questions

EARLIER_TITLE = "Docker container cannot reach the host database"
EARLIER_DETAILS = "My app inside a container gets connection refused on localhost:5432 postgres."
ANSWER = "Use host.docker.internal instead of localhost; inside the container localhost is itself."


async def solved_earlier(world: Community) -> int:
    """An earlier question, answered and marked; its id."""
    alice, bob = await world.guild.join("alice"), await world.guild.join("bob")
    stored, thread = await asked(
        world, alice, title=EARLIER_TITLE, details=EARLIER_DETAILS, tags=()
    )
    answer = await answered_by(world, bob, thread, ANSWER)
    await alice.run_message_command("Mark as answer", answer)
    assert stored.id is not None
    return stored.id


async def test_words_from_an_earlier_questions_body_find_it(community: Community) -> None:
    earlier = await solved_earlier(community)
    dave = await community.guild.join("dave")

    reply = await ask(
        dave,
        title="Postgres connection refused from my container",
        details="Connecting to localhost 5432 fails inside docker but works on my laptop.",
        tags=(),
    )

    assert "look like yours" in reply.content and EARLIER_TITLE in reply.content
    assert "`postgres`" in reply.content and "solved" in reply.content
    assert f"/{(await question(community, earlier)).thread_id}" in reply.content
    labels = [b["label"] for b in reply.buttons]
    assert labels == ["This solved it (#1)", "Post anyway"]
    assert len(await questions(community)) == 1  # nothing posted yet


async def test_the_accepted_answers_words_find_the_question(community: Community) -> None:
    await solved_earlier(community)
    dave = await community.guild.join("dave")

    reply = await ask(
        dave,
        title="What is host.docker.internal used for",
        details="I saw host.docker.internal in a compose file; when do I need it instead?",
        tags=(),
    )

    assert EARLIER_TITLE in reply.content and "`internal`" in reply.content


async def test_this_solved_it_credits_the_earlier_question_and_posts_nothing(
    community: Community,
) -> None:
    earlier = await solved_earlier(community)
    dave = await community.guild.join("dave")
    offered = await ask(
        dave, title="Postgres connection refused from my container",
        details="Connecting to localhost 5432 fails inside docker.", tags=(),
    )  # fmt: skip

    reply = await dave.click(offered, "This solved it (#1)")

    assert "Glad it helped" in reply.content
    assert (await question(community, earlier)).helped_count == 1
    assert len(await questions(community)) == 1
    await eventually_logged(community, kind="button", user_id=dave.id, ref=str(earlier))


async def test_post_anyway_posts_the_question(community: Community) -> None:
    await solved_earlier(community)
    dave = await community.guild.join("dave")
    offered = await ask(
        dave, title="Postgres connection refused from my container",
        details="Connecting to localhost 5432 fails inside docker.", tags=(),
    )  # fmt: skip

    reply = await dave.click(offered, "Post anyway")

    assert "Your question is up" in reply.content
    assert [q.asker_id for q in await questions(community)][-1] == dave.id
