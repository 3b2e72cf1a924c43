"""Full-text search over earlier questions: SQLite FTS5 or PostgreSQL's text search.

Both index a question's title, details and accepted answer's text (migration 0009). The
caller passes plain words (letters and digits only); any of them may match, the best
matches come first.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.qa.models import CLOSED

_WORD = re.compile(r"[a-z0-9]+\Z")
# Questions closed as these are never offered as an earlier answer.
HIDDEN_REASONS = ("duplicate", "deleted", "off_topic")

_SQLITE = text(
    """
    SELECT q.id, bm25(fts_questions, 4.0, 1.0, 1.0) AS score
    FROM fts_questions JOIN questions q ON q.id = fts_questions.rowid
    WHERE fts_questions MATCH :query AND q.guild_id = :guild_id
      AND (q.status != :closed OR q.close_reason NOT IN ('duplicate', 'deleted', 'off_topic'))
      AND q.id != :exclude
    ORDER BY score
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
    SELECT q.id, ts_rank_cd({_DOCUMENT}, query) AS score
    FROM questions q, to_tsquery('english', :query) query
    WHERE {_DOCUMENT} @@ query AND q.guild_id = :guild_id
      AND (q.status != :closed OR q.close_reason NOT IN ('duplicate', 'deleted', 'off_topic'))
      AND q.id != :exclude
    ORDER BY score DESC
    LIMIT :limit
    """
)


async def similar(
    session: AsyncSession, guild_id: int, words: Sequence[str], limit: int, exclude: int = 0
) -> list[tuple[int, float]]:
    """(question id, relevance) of the guild's questions matching any word, best first."""
    words = [w for w in dict.fromkeys(words) if _WORD.match(w)]
    if not words:
        return []
    params = {"guild_id": guild_id, "closed": CLOSED, "exclude": exclude, "limit": limit}
    connection = await session.connection()
    if connection.dialect.name == "sqlite":
        query = " OR ".join(f'"{w}"' for w in words)
        rows = await connection.execute(_SQLITE, {**params, "query": query})
        return [(int(r[0]), -float(r[1])) for r in rows]
    rows = await connection.execute(_POSTGRES, {**params, "query": " | ".join(words)})
    return [(int(r[0]), float(r[1])) for r in rows]
