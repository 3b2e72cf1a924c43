"""Likely duplicates of a draft: full-text search, an optional re-rank, solved ones first."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from bot.services.qa.core import view_of
from bot.services.qa.views import Candidate
from bot.services.qa.wording import shared_words, terms
from storage.database import Session
from storage.qa import queries, search
from storage.qa.models import SOLVED, Question

SHOWN = 3
POOL = 10  # full-text hits looked at before keeping the best three
MIN_SHARED = 3  # words a candidate must share with the draft (fewer when the draft has fewer)
RELATIVE = 0.7  # full-text: a candidate's relevance at least this share of the best one's
# Re-rank: a candidate's embedding similarity at least this, and this share of the best's.
RERANK_MIN = 0.5
RERANK_RELATIVE = 0.9


class Reranker(Protocol):
    """Orders candidate texts by similarity to a query (higher is closer)."""

    def similarity(self, query: str, documents: Sequence[str]) -> list[float]:
        """One score per document."""
        ...


def document(question: Question) -> str:
    """The text a question is searched by: title, details, accepted answer."""
    return " ".join((question.title, question.details, question.answer_text or ""))


async def find(
    session: Session,
    guild_id: int,
    title: str,
    details: str,
    *,
    reranker: Reranker | None = None,
    limit: int = SHOWN,
    exclude: int = 0,
    solved_first: bool = True,
) -> list[Candidate]:
    """Up to `limit` earlier questions that may answer this one, with the words they share."""
    query = terms(title, details)
    hits = await search.similar(session, guild_id, query, POOL, exclude=exclude)
    rows = await queries.questions(session, [question_id for question_id, _ in hits])
    needed = min(MIN_SHARED, len(query))
    found: list[tuple[Question, tuple[str, ...], float]] = []
    for question_id, score in hits:
        question = rows.get(question_id)
        if question is None:
            continue
        matched = shared_words(query, document(question))
        close = reranker is not None or score >= RELATIVE * hits[0][1]
        if len(matched) >= needed and close:
            found.append((question, matched, score))
    if reranker is not None and found:
        found = _reranked(reranker, f"{title} {details}", found)
    top = found[:limit]
    if solved_first:
        top.sort(key=lambda item: item[0].status != SOLVED)  # stable: relevance within each
    return [Candidate(view_of(q), matched, score) for q, matched, score in top]


def _reranked(
    reranker: Reranker, text: str, found: list[tuple[Question, tuple[str, ...], float]]
) -> list[tuple[Question, tuple[str, ...], float]]:
    """The candidates by embedding similarity, the clearly weaker ones left out."""
    scores = reranker.similarity(text, [document(q) for q, _, _ in found])
    best = max(scores)
    ranked = sorted(zip(found, scores, strict=True), key=lambda pair: -pair[1])
    return [
        (q, matched, score)
        for (q, matched, _), score in ranked
        if score >= RERANK_MIN and score >= RERANK_RELATIVE * best
    ]
