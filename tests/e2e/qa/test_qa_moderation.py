"""Moderators close, de-duplicate and reopen questions; /questions lists the queue."""

from __future__ import annotations

from sqlmodel import select

from sandbox.community import Community
from storage.audit.models import AuditEntry
from tests.e2e.qa.qa_support import answered_by, asked, question


async def qa_audits(world: Community) -> list[str]:
    async with world.db.read() as session:
        rows = (await session.exec(select(AuditEntry))).all()
    return [row.action for row in rows if row.action.startswith("qa.")]


async def test_a_moderator_closes_a_question_off_topic_and_it_is_audited(
    community: Community,
) -> None:
    alice, mod = await community.guild.join("alice"), await community.moderator()
    stored, thread = await asked(community, alice)

    reply = await mod.run("/qa close", where=thread, reason="off_topic")

    now = await question(community, stored.id or 0)
    assert reply.ephemeral and "closed" in reply.content
    assert now.status == "closed" and now.close_reason == "off_topic"
    assert thread.archived and any("off topic" in m.content for m in thread.messages)
    assert await qa_audits(community) == ["qa.close"]


async def test_a_duplicate_names_the_earlier_question(community: Community) -> None:
    alice, mod = await community.guild.join("alice"), await community.moderator()
    first, _ = await asked(community, alice)
    second, thread = await asked(
        community, alice, title="Merge loses rows when keys are NaN", details="Same as before!!!!!!"
    )

    await mod.run("/qa duplicate", where=thread, of=first.id)

    now = await question(community, second.id or 0)
    assert now.close_reason == "duplicate" and now.duplicate_of_id == first.id
    assert any(f"/{first.thread_id}" in m.content for m in thread.messages)


async def test_reopen_brings_a_closed_question_back(community: Community) -> None:
    alice, mod = await community.guild.join("alice"), await community.moderator()
    stored, thread = await asked(community, alice)
    await mod.run("/qa close", where=thread, reason="moderator")

    reply = await mod.run("/qa reopen", where=thread)

    now = await question(community, stored.id or 0)
    assert now.status == "open" and now.close_reason is None and "again" in reply.content
    assert await qa_audits(community) == ["qa.close", "qa.reopen"]


async def test_a_member_is_refused_the_moderators_commands(community: Community) -> None:
    alice = await community.guild.join("alice")
    stored, thread = await asked(community, alice)
    community.guild.allow_command("qa", community.guild.role("Helpers"))
    await community.guild.give_role(alice, community.guild.role("Helpers"))

    reply = await alice.run("/qa close", where=thread, reason="off_topic")

    assert reply.ephemeral and "Only moderators" in reply.content
    assert (await question(community, stored.id or 0)).status == "open"
    assert await qa_audits(community) == []


async def test_the_asker_leaving_closes_their_open_question(community: Community) -> None:
    alice = await community.guild.join("alice")
    stored, _ = await asked(community, alice)

    await alice.leave()

    async def closed() -> bool:
        return (await question(community, stored.id or 0)).close_reason == "asker_left"

    assert await community.discord.wait_for(closed)


async def test_questions_lists_the_unanswered_oldest_first(community: Community) -> None:
    alice, bob = await community.guild.join("alice"), await community.guild.join("bob")
    _first, _ = await asked(community, alice, title="First: pandas merge drops NaN keys")
    _second, thread = await asked(community, alice, title="Second: numpy argsort is unstable")
    _third, _ = await asked(community, alice, title="Third: asyncio gather swallows errors")
    await answered_by(community, bob, thread, "Pass kind='stable' to argsort.")

    reply = await bob.run("/questions list")

    text = reply.content
    assert "First:" in text and "Third:" in text and "Second:" not in text
    assert text.index("First:") < text.index("Third:")


async def test_questions_mine_lists_the_members_own(community: Community) -> None:
    alice, bob = await community.guild.join("alice"), await community.guild.join("bob")
    await asked(community, alice, title="Alice asks: pandas merge drops NaN keys")
    await asked(community, bob, title="Bob asks: numpy argsort is not stable")

    reply = await alice.run("/questions mine")

    assert "Alice asks" in reply.content and "Bob asks" not in reply.content
