"""Helpers for the Q&A end-to-end tests."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, select

from sandbox.community import Community
from sandbox.discord import Channel, Message, Person, Reply
from storage.qa.models import QaAccepted, Question

TITLE = "Pandas merge drops rows with NaN keys"
DETAILS = "I merge two frames on a key column and rows whose key is NaN disappear. Why?"


async def ask(
    person: Person,
    title: str = TITLE,
    details: str = DETAILS,
    tags: Sequence[str] = ("python",),
) -> Reply:
    """Run /ask and submit the modal; the private answer."""
    opened = await person.run("/ask")
    assert opened.modal is not None, opened
    values: dict[str, object] = {"Title: what are you stuck on?": title}
    values["Details: what you tried, what happened"] = details
    if tags:
        values["Tags"] = list(tags)
    return await person.submit_modal(opened.modal, values)


async def questions(world: Community) -> list[Question]:
    """Every stored question, oldest first."""
    async with world.db.read() as session:
        return list((await session.exec(select(Question).order_by(col(Question.id)))).all())


async def question(world: Community, question_id: int) -> Question:
    """One question, read fresh."""
    async with world.db.read() as session:
        found = await session.get(Question, question_id)
    assert found is not None
    return found


async def accepted_rows(world: Community) -> list[QaAccepted]:
    """Every accepted answer."""
    async with world.db.read() as session:
        return list((await session.exec(select(QaAccepted))).all())


def thread_of(world: Community, q: Question) -> Channel:
    """The sandbox thread of a question."""
    return world.discord.state.channels[q.thread_id]


async def asked(world: Community, person: Person, **kw: object) -> tuple[Question, Channel]:
    """Ask a question and post it (past any duplicates offered); its row and thread."""
    reply = await ask(person, **kw)  # type: ignore[arg-type]
    if "look like yours" in reply.content:
        reply = await person.click(reply, "Post anyway")
    assert "Your question is up" in reply.content, reply.content
    found = (await questions(world))[-1]
    return found, thread_of(world, found)


async def answered_by(world: Community, person: Person, thread: Channel, text: str) -> Message:
    """A reply in the thread, once the bot has seen it."""
    before = len(await answers(world))
    message = await person.say(thread, text)

    async def seen() -> bool:
        return len(await answers(world)) > before

    await world.discord.wait_for(seen)
    return message


async def answers(world: Community) -> list[int]:
    """Message ids that counted as answers."""
    from storage.qa.models import QaAnswer

    async with world.db.read() as session:
        return [a.message_id for a in (await session.exec(select(QaAnswer))).all()]
