"""Which words the duplicate search asks the index for, by how many questions hold each."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from storage.database import Database
from storage.qa import queries, search
from storage.qa.models import Question
from storage.qa.search import ROW_BUDGET, Plan, Term, plan
from tests.conftest import sqlite_only

GUILD = 1
AT = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
COMMON = ROW_BUDGET  # a word held by this many questions is expensive to ask for alone


def held(**counts: int) -> dict[str, Term]:
    return {word: Term(word, n) for word, n in counts.items()}


async def add_questions(db: Database, *texts: str) -> list[int]:
    ids: list[int] = []
    async with db.transaction() as session:
        for n, body in enumerate(texts):
            row = Question(
                guild_id=GUILD, thread_id=100 + n, channel_id=10, asker_id=7, title=body,
                details="details", created_at=AT, last_activity_at=AT,
            )  # fmt: skip
            await queries.add(session, row)
            assert row.id is not None
            ids.append(row.id)
    return ids


def test_every_word_is_asked_for_while_the_matches_stay_cheap() -> None:
    words = ["pandas", "merge", "drops", "rows"]
    assert plan(words, held(pandas=300, merge=300, rows=300)) == Plan(tuple(words))


def test_common_words_are_left_out_when_enough_rare_ones_remain() -> None:
    words = ["python", "vlookup", "error", "na", "table"]
    frequency = held(python=COMMON, vlookup=2, error=COMMON, na=5, table=40)
    assert plan(words, frequency) == Plan(("vlookup", "na", "table"))


def test_a_word_no_question_holds_is_kept_but_is_not_enough_alone() -> None:
    words = ["redis", "talking", "timeouts", "server", "heavy"]
    frequency = held(redis=COMMON, timeouts=COMMON, server=3)
    assert plan(words, frequency) == Plan(("talking", "heavy"), ("server", "redis", "timeouts"))


def test_words_of_one_stem_count_once_among_the_rarest() -> None:
    words = ["postgres", "connection", "refused", "connecting", "docker", "timeout"]
    frequency = held(postgres=COMMON, refused=2, docker=COMMON, timeout=COMMON)
    frequency |= {"connection": Term("connect", 900), "connecting": Term("connect", 900)}
    assert plan(words, frequency).paired == ("refused", "connection", "postgres", "docker")


def test_a_lone_common_word_is_left_to_the_others() -> None:
    words = ["updates", "rejected", "behind", "push"]
    assert plan(words, held(behind=8 * COMMON)) == Plan(("updates", "rejected", "push"))
    assert plan(["behind"], held(behind=8 * COMMON)) == Plan(("behind",))


def test_only_common_words_need_two_of_the_rarest_four() -> None:
    words = ["docker", "pod", "fails", "timeout", "github", "actions"]
    counts = (COMMON, 900, 2 * COMMON, 2 * COMMON, 800, 3 * COMMON)
    frequency = {w: Term(w, n) for w, n in zip(words, counts, strict=True)}
    query = plan(words, frequency)
    assert query == Plan((), ("github", "pod", "docker", "fails"))
    assert query.sqlite().count(" AND ") == 6 and query.postgres().count(" & ") == 6


async def test_frequencies_count_the_questions_holding_each_word(db: Database) -> None:
    await add_questions(db, "docker networking", "docker volumes", "docker compose pandas")
    if not db.is_sqlite:  # PostgreSQL reads the statistics ANALYZE keeps
        async with db.transaction() as session:
            await (await session.connection()).execute(text("ANALYZE questions"))
    async with db.read() as session:
        found = await search.frequencies(session, ["docker", "pandas", "kotlin"])
    assert found["docker"].questions > found["kotlin"].questions == 0
    if db.is_sqlite:
        assert (found["docker"].questions, found["pandas"].questions) == (3, 1)


@sqlite_only  # exact there; PostgreSQL's estimate is checked above
async def test_frequencies_go_by_the_indexs_stems(db: Database) -> None:
    await add_questions(db, "merging dataframes", "merge conflicts", "merged branches")
    async with db.read() as session:
        found = await search.frequencies(session, ["merges"])
    assert found == {"merges": Term("merg", 3)}


async def test_a_question_holding_two_of_the_rarest_words_is_found(db: Database) -> None:
    both, one = await add_questions(db, "docker pod fails", "docker volume fails")
    words = ["docker", "pod", "fails", "github"]
    frequency = held(docker=COMMON, pod=COMMON, fails=COMMON, github=COMMON)
    async with db.read() as session:
        hits = await search.similar(session, GUILD, words, 10, terms=frequency)
    assert [question_id for question_id, _ in hits] == [both, one]
    frequency |= held(fails=3 * COMMON, cluster=COMMON)  # the rarest four: no "fails"
    words.append("cluster")
    async with db.read() as session:
        hits = await search.similar(session, GUILD, words, 10, terms=frequency)
    assert [question_id for question_id, _ in hits] == [both]


async def test_only_the_newest_matches_are_scored_when_too_many_match(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    _oldest, *newer = await add_questions(db, "docker docker docker", "docker pod", "docker fails")
    monkeypatch.setattr(search, "SCORED", 2)
    async with db.read() as session:
        hits = await search.similar(session, GUILD, ["docker"], 10)
    assert sorted(question_id for question_id, _ in hits) == newer  # not the oldest
