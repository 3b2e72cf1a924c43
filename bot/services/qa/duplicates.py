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
# Document frequencies are looked up once per word and kept for this many searches: they
# only choose which words the index is asked for, so a stale count costs speed, not results.
FREQUENCIES_KEPT_FOR = 1000


class Reranker(Protocol):
    """Orders candidate texts by similarity to a query (higher is closer)."""

    def similarity(self, query: str, documents: Sequence[str]) -> list[float]:
        """One score per document."""
        ...


class Frequencies:
    """How many questions hold each word, kept between searches (one per database)."""

    def __init__(self, kept_for: int = FREQUENCIES_KEPT_FOR) -> None:
        self._kept_for = kept_for
        self._known: dict[str, search.Term] = {}
        self._searches = 0

    async def of(self, session: Session, words: Sequence[str]) -> dict[str, search.Term]:
        """Each word's document frequency (the unknown ones looked up)."""
        self._searches += 1
        if self._searches > self._kept_for:
            self._known.clear()
            self._searches = 1
        missing = [w for w in words if w not in self._known]
        if missing:
            found = await search.frequencies(session, missing)
            self._known.update({w: found.get(w, search.Term(w, 0)) for w in missing})
        return {w: self._known[w] for w in words}


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
    frequencies: Frequencies | None = None,
    limit: int = SHOWN,
    exclude: int = 0,
    solved_first: bool = True,
) -> list[Candidate]:
    """Up to `limit` earlier questions that may answer this one, with the words they share."""
    query = terms(title, details)
    known = None if frequencies is None else await frequencies.of(session, query)
    hits = await search.similar(session, guild_id, query, POOL, exclude=exclude, terms=known)
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
