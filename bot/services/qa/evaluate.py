"""Measuring the duplicate check on a labelled set: precision@3 (benchmarks/qa.py).

The set (tests/fixtures/qa/duplicates.json) pairs an earlier question with a new one,
labelled duplicate or near-miss. Every earlier question is stored (solved, with its answer);
each new question is searched; precision@3 is the share of the suggestions shown that are
its real duplicate (near-misses should show nothing).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.services.qa import duplicates
from storage.database import Database
from storage.qa import queries
from storage.qa.models import SOLVED, Question


@dataclass(frozen=True)
class Pair:
    """One labelled pair."""

    earlier: dict[str, str]
    query: dict[str, str]
    duplicate: bool


def load_pairs(path: Path) -> list[Pair]:
    """The labelled pairs of a fixture file."""
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return [Pair(p["earlier"], p["query"], bool(p["duplicate"])) for p in data["pairs"]]


async def store_earlier(db: Database, guild_id: int, pairs: list[Pair], at: datetime) -> list[int]:
    """Store each pair's earlier question, solved with its answer; their ids in pair order."""
    ids: list[int] = []
    async with db.transaction() as session:
        for n, pair in enumerate(pairs):
            row = Question(
                guild_id=guild_id, thread_id=10_000_000 + n, channel_id=1, asker_id=1,
                title=pair.earlier["title"], details=pair.earlier["details"],
                answer_text=pair.earlier["answer"], status=SOLVED, created_at=at,
                last_activity_at=at, solved_at=at, answerer_id=2,
            )  # fmt: skip
            await queries.add(session, row)
            assert row.id is not None
            ids.append(row.id)
    return ids


@dataclass(frozen=True)
class Measure:
    """How the duplicate check did on a labelled set."""

    precision: float  # share of the suggestions shown that are the query's duplicate
    found: int  # duplicates shown among their query's suggestions


async def measure(
    db: Database,
    guild_id: int,
    pairs: list[Pair],
    ids: list[int],
    reranker: duplicates.Reranker | None = None,
) -> Measure:
    """precision@3 and the duplicates found (at most 3 suggestions per query)."""
    shown = right = 0
    async with db.read() as session:
        for pair, earlier_id in zip(pairs, ids, strict=True):
            found = await duplicates.find(
                session, guild_id, pair.query["title"], pair.query["details"],
                reranker=reranker, solved_first=False,
            )  # fmt: skip
            shown += len(found)
            right += sum(1 for c in found if pair.duplicate and c.question.id == earlier_id)
    return Measure(right / shown if shown else 0.0, right)


async def precision_at_3(
    db: Database,
    guild_id: int,
    pairs: list[Pair],
    ids: list[int],
    reranker: duplicates.Reranker | None = None,
) -> float:
    """Share of shown suggestions (at most 3 per query) that are the query's duplicate."""
    return (await measure(db, guild_id, pairs, ids, reranker)).precision
