"""The duplicate check on the labelled set (tests/fixtures/qa): a floor under precision@3,
and the re-rank measured no worse than full-text alone."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.services.qa import duplicates
from bot.services.qa.evaluate import load_pairs, precision_at_3, store_earlier
from bot.services.qa.rerank import load_reranker
from storage.database import Database

PAIRS = Path(__file__).parents[2] / "fixtures" / "qa" / "duplicates.json"
AT = datetime(2026, 11, 23, tzinfo=UTC)


def test_the_labelled_set_has_at_least_50_pairs_of_both_kinds() -> None:
    pairs = load_pairs(PAIRS)
    assert len(pairs) >= 50
    assert sum(p.duplicate for p in pairs) >= 25 and sum(not p.duplicate for p in pairs) >= 25


async def test_full_text_precision_at_3_stays_above_its_measured_floor(db: Database) -> None:
    pairs = load_pairs(PAIRS)
    ids = await store_earlier(db, 1, pairs, AT)
    assert await precision_at_3(db, 1, pairs, ids) >= 0.55


async def test_the_rerank_is_at_least_as_precise_as_full_text(db: Database) -> None:
    reranker = load_reranker()
    if reranker is None:
        pytest.skip("wordllama is not installed")
    pairs = load_pairs(PAIRS)
    ids = await store_earlier(db, 1, pairs, AT)
    assert await precision_at_3(db, 1, pairs, ids, reranker) >= await precision_at_3(
        db, 1, pairs, ids
    )


class Backwards:
    """A re-ranker that prefers the last candidate and finds the others far."""

    def similarity(self, query: str, documents: Sequence[str]) -> list[float]:
        return [0.1] * (len(documents) - 1) + [0.9]


async def test_a_reranker_reorders_and_drops_the_far_candidates(db: Database) -> None:
    pairs = load_pairs(PAIRS)[:4]
    await store_earlier(db, 1, pairs, AT)
    async with db.read() as session:
        plain = await duplicates.find(session, 1, "pandas merge rows NaN keys", "merge drops")
        ranked = await duplicates.find(
            session, 1, "pandas merge rows NaN keys", "merge drops", reranker=Backwards()
        )
    assert len(plain) >= 1 and len(ranked) == 1
