"""Q&A tables on SQLite and PostgreSQL: one accepted answer, full-text search, nudges, privacy."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.exc import IntegrityError

from storage.database import Database
from storage.privacy import Erasure
from storage.qa import privacy, queries, search
from storage.qa.models import QaAccepted, QaAnswer, Question

GUILD = 1
AT = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


async def add_question(
    db: Database,
    title: str,
    details: str,
    *,
    guild_id: int = GUILD,
    thread_id: int = 100,
    asker_id: int = 7,
    status: str = "open",
    close_reason: str | None = None,
) -> int:
    async with db.transaction() as session:
        row = Question(
            guild_id=guild_id, thread_id=thread_id, channel_id=10, asker_id=asker_id,
            title=title, details=details, created_at=AT, last_activity_at=AT, status=status,
            close_reason=close_reason,
        )  # fmt: skip
        await queries.add(session, row)
        assert row.id is not None
        return row.id


async def found(db: Database, *words: str, guild_id: int = GUILD) -> list[int]:
    async with db.read() as session:
        return [qid for qid, _ in await search.similar(session, guild_id, list(words), 10)]


async def test_the_database_refuses_a_second_accepted_answer(db: Database) -> None:
    qid = await add_question(db, "Title long enough", "Details")
    with pytest.raises(IntegrityError):
        async with db.transaction() as session:
            for message_id in (1, 2):
                session.add(
                    QaAccepted(
                        guild_id=GUILD, question_id=qid, message_id=message_id, answerer_id=8,
                        marked_by=7, marked_at=AT,
                    )
                )  # fmt: skip
                await session.flush()


async def test_accept_reports_a_question_that_has_its_answer(db: Database) -> None:
    qid = await add_question(db, "Title long enough", "Details")
    async with db.transaction() as session:
        rows = [
            QaAccepted(guild_id=GUILD, question_id=qid, message_id=m, answerer_id=8, marked_by=7,
                       marked_at=AT)
            for m in (1, 2)
        ]  # fmt: skip
        results = [await queries.accept(session, row) for row in rows]
    assert results == [True, False]


async def test_an_answer_message_counts_once(db: Database) -> None:
    qid = await add_question(db, "Title long enough", "Details")
    with pytest.raises(IntegrityError):
        async with db.transaction() as session:
            for _ in range(2):
                session.add(
                    QaAnswer(guild_id=GUILD, question_id=qid, message_id=5, answerer_id=8,
                             posted_at=AT)
                )  # fmt: skip
                await session.flush()


async def test_search_finds_a_question_by_words_of_its_details(db: Database) -> None:
    qid = await add_question(db, "Docker networking", "connection refused on localhost postgres")
    await add_question(db, "CSS grid layout", "columns overflow on mobile", thread_id=101)
    assert await found(db, "postgres", "refused") == [qid]


async def test_search_finds_a_question_by_its_accepted_answers_words(db: Database) -> None:
    qid = await add_question(db, "Docker networking", "connection refused on localhost")
    assert await found(db, "internal") == []
    async with db.transaction() as session:
        row = await queries.question(session, qid)
        assert row is not None
        row.answer_text = "use host.docker.internal instead"
        await queries.add(session, row)
    assert await found(db, "internal") == [qid]


async def test_search_stems_words(db: Database) -> None:
    qid = await add_question(db, "Merging dataframes drops rows", "pandas merge loses records")
    assert await found(db, "merge", "drop") == [qid]


async def test_search_keeps_to_the_guild_and_hides_duplicates(db: Database) -> None:
    await add_question(db, "Docker networking", "postgres refused", guild_id=2)
    await add_question(
        db, "Docker networking", "postgres refused", status="closed", close_reason="duplicate"
    )
    assert await found(db, "postgres") == []


async def test_a_nudge_is_claimed_once(db: Database) -> None:
    qid = await add_question(db, "Title long enough", "Details")
    async with db.transaction() as session:
        first = await queries.claim_nudge(session, GUILD, qid, "unanswered", AT)
        second = await queries.claim_nudge(session, GUILD, qid, "unanswered", AT)
    assert (first, second) == (True, False)


async def test_forgetting_the_asker_keeps_the_question_without_its_text(db: Database) -> None:
    qid = await add_question(db, "Docker networking", "postgres refused", asker_id=7)
    async with db.transaction() as session:
        exported = await privacy.export_member(session, GUILD, 7)
        changed = await privacy.forget_member(session, Erasure(GUILD, 7, -99, AT))
    async with db.read() as session:
        row = await queries.question(session, qid)
    assert exported["questions"][0]["title"] == "Docker networking" and changed == 1
    assert row is not None and row.asker_id == -99 and row.title == privacy.ERASED
    assert await found(db, "postgres") == []
