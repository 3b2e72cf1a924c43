"""Full-text search over earlier questions: SQLite FTS5 or PostgreSQL's text search.

Both index a question's title, details and accepted answer's text (migration 0009). The
caller passes plain words (letters and digits only), best first. What is asked of the index
depends on how many questions each word is in (its document frequency, see `frequencies`),
because every question the query matches is scored: any of the words may match while that
stays cheap; otherwise only the rarest words are asked for (the words that decide the
ranking anyway), and when even those are common, a question must hold two of them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import NamedTuple

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.qa.models import CLOSED

_WORD = re.compile(r"[a-z0-9]+\Z")
# Questions closed as these are never offered as an earlier answer.
HIDDEN_REASONS = ("duplicate", "deleted", "off_topic")
# Questions a query may match (the sum of its words' document frequencies) and still be
# scored whole: each match costs a relevance computation.
ROW_BUDGET = 1000
ENOUGH_RARE = 3  # rare words (under the budget together) that make a query on their own
PAIRED = 4  # otherwise: the rarest words of which a question must hold two

# However the words are chosen, at most this many matches (the newest) are scored: words
# that often come together ("segfaults randomly") can make a pair as common as one word.
SCORED = 2 * ROW_BUDGET

_SQLITE = text(
    """
    SELECT q.id, m.score
    FROM (
        SELECT rowid, bm25(fts_questions, 4.0, 1.0, 1.0) AS score
        FROM fts_questions WHERE fts_questions MATCH :query
        ORDER BY rowid DESC LIMIT :scored
    ) m JOIN questions q ON q.id = m.rowid
    WHERE q.guild_id = :guild_id
      AND (q.status != :closed OR q.close_reason NOT IN ('duplicate', 'deleted', 'off_topic'))
      AND q.id != :exclude
    ORDER BY m.score
    LIMIT :limit
    """
)
# Exactly the expression of the index made by migration 0009.
_DOCUMENT = (
    "to_tsvector('english', regexp_replace("
    "title || ' ' || details || ' ' || coalesce(answer_text, ''), '[^[:alnum:]]+', ' ', 'g'))"
)
_POSTGRES = text(
    f"""
    SELECT q.id, ts_rank_cd({_DOCUMENT}, to_tsquery('english', :query)) AS score
    FROM (
        SELECT q.* FROM questions q
        WHERE {_DOCUMENT} @@ to_tsquery('english', :query) AND q.guild_id = :guild_id
          AND (q.status != :closed
               OR q.close_reason NOT IN ('duplicate', 'deleted', 'off_topic'))
          AND q.id != :exclude
        ORDER BY q.id DESC LIMIT :scored
    ) q
    ORDER BY score DESC
    LIMIT :limit
    """
)
# SQLite: the stems the index keeps (its own porter tokenizer, through a scratch table of
# this connection), and how many rows hold each stem (fts5vocab over the index).
_SQLITE_SCRATCH = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS temp.qa_probe USING fts5(word, "
    "tokenize='porter unicode61')",
    "CREATE VIRTUAL TABLE IF NOT EXISTS temp.qa_probe_terms USING fts5vocab("
    "temp, qa_probe, 'instance')",
    "CREATE VIRTUAL TABLE IF NOT EXISTS temp.qa_terms USING fts5vocab(main, fts_questions, 'row')",
)
# One probe row per word; rows of a longer earlier probe are replaced or passed over.
_PROBE = text("INSERT OR REPLACE INTO temp.qa_probe(rowid, word) VALUES (:n, :word)")
_PROBE_COUNTS = text(
    "SELECT p.doc, p.term, v.doc FROM temp.qa_probe_terms p "
    "LEFT JOIN temp.qa_terms v ON v.term = p.term "
    "WHERE p.doc < :n"
)


# PostgreSQL: the lexeme frequencies ANALYZE keeps for the index's expression (the planner's
# statistics of `@@`); a lexeme missing there is rarer than every one listed.
_POSTGRES_FREQUENCIES = text(
    """
    SELECT w.word, min(l.lexeme), max(e.freq) * max(greatest(c.reltuples, 0))
    FROM unnest(CAST(:words AS text[])) AS w(word)
    CROSS JOIN pg_class c
    LEFT JOIN LATERAL unnest(tsvector_to_array(to_tsvector('english', w.word))) AS l(lexeme)
        ON true
    LEFT JOIN (
        SELECT e.elem, e.freq
        FROM pg_stats s,
             unnest(CAST(CAST(s.most_common_elems AS text) AS text[]),
                    s.most_common_elem_freqs) AS e(elem, freq)
        WHERE s.schemaname = current_schema() AND s.tablename = 'fts_questions'
    ) e ON e.elem = l.lexeme
    WHERE c.relname = 'questions' AND c.relnamespace = CAST(current_schema() AS regnamespace)
    GROUP BY w.word
    """
)


class Term(NamedTuple):
    """A word as the index keeps it, and how many questions hold it."""

    stem: str
    questions: int


@dataclass(frozen=True)
class Plan:
    """What is asked of the index: any of `anyof`, or two of `paired`."""

    anyof: tuple[str, ...]
    paired: tuple[str, ...] = ()

    def sqlite(self) -> str:
        """The FTS5 query."""
        parts = [f'"{w}"' for w in self.anyof]
        parts += [f'("{a}" AND "{b}")' for a, b in combinations(self.paired, 2)]
        return " OR ".join(parts)

    def postgres(self) -> str:
        """The to_tsquery text."""
        parts = list(self.anyof)
        parts += [f"({a} & {b})" for a, b in combinations(self.paired, 2)]
        return " | ".join(parts)


def plan(words: Sequence[str], terms: Mapping[str, Term]) -> Plan:
    """The query for these words (best first) given how many questions hold each.

    A word of count 0 (in no question on SQLite; too rare for PostgreSQL's statistics)
    costs nothing to ask for, but it does not make a query on its own; of words with one
    stem ("connection", "connecting") the first stands for all.
    """
    if sum(terms[w].questions for w in words if w in terms) <= ROW_BUDGET:
        return Plan(tuple(words))
    count: dict[str, int] = {}
    stems: set[str] = set()
    for word in words:
        stem, held = terms.get(word, Term(word, 0))
        if stem not in stems:
            stems.add(stem)
            count[word] = held
    counted = sorted((w for w in count if count[w]), key=lambda w: count[w])
    rare: set[str] = set()
    total = 0
    for word in counted:  # the rarest first (stable: the title's first on ties)
        total += count[word]
        if total > ROW_BUDGET:
            break
        rare.add(word)
    free = tuple(w for w in count if not count[w])
    if len(rare) >= ENOUGH_RARE:
        return Plan(tuple(w for w in count if w in rare or not count[w]))
    if len(counted) < 2:  # one common word: a match must also hold one of the others
        return Plan(free or tuple(count))
    return Plan(free, tuple(counted[:PAIRED]))


async def frequencies(session: AsyncSession, words: Sequence[str]) -> dict[str, Term]:
    """How many questions (of every guild) hold each word, as the index stems it.

    Exact on SQLite; on PostgreSQL the estimate kept by ANALYZE (0 before it ran).
    """
    words = [w for w in dict.fromkeys(words) if _WORD.match(w)]
    if not words:
        return {}
    connection = await session.connection()
    if connection.dialect.name == "sqlite":
        return await _sqlite_frequencies(connection, words)
    rows = await connection.execute(_POSTGRES_FREQUENCIES, {"words": words})
    return {str(r[0]): Term(str(r[1] or r[0]), round(float(r[2] or 0))) for r in rows}


async def _sqlite_frequencies(connection: AsyncConnection, words: list[str]) -> dict[str, Term]:
    info = connection.info  # kept with the pooled connection, as its temp tables are
    if not info.get("qa_probe"):
        for statement in _SQLITE_SCRATCH:
            await connection.exec_driver_sql(statement)
        info["qa_probe"] = True
    await connection.execute(_PROBE, [{"n": n, "word": word} for n, word in enumerate(words)])
    rows = await connection.execute(_PROBE_COUNTS, {"n": len(words)})
    found = {int(r[0]): Term(str(r[1]), int(r[2] or 0)) for r in rows}
    return {word: found.get(n, Term(word, 0)) for n, word in enumerate(words)}


async def similar(
    session: AsyncSession,
    guild_id: int,
    words: Sequence[str],
    limit: int,
    exclude: int = 0,
    terms: Mapping[str, Term] | None = None,
) -> list[tuple[int, float]]:
    """(question id, relevance) of the guild's questions matching the words, best first.

    `terms` (from `frequencies`) are looked up when not given.
    """
    words = [w for w in dict.fromkeys(words) if _WORD.match(w)]
    if not words:
        return []
    if terms is None:
        terms = await frequencies(session, words)
    query = plan(words, terms)
    params = {
        "guild_id": guild_id, "closed": CLOSED, "exclude": exclude, "limit": limit,
        "scored": SCORED,
    }  # fmt: skip
    connection = await session.connection()
    if connection.dialect.name == "sqlite":
        rows = await connection.execute(_SQLITE, {**params, "query": query.sqlite()})
        return [(int(r[0]), -float(r[1])) for r in rows]
    rows = await connection.execute(_POSTGRES, {**params, "query": query.postgres()})
    return [(int(r[0]), float(r[1])) for r in rows]
