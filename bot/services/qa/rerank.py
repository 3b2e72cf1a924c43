"""The optional re-rank of duplicate candidates with `wordllama` (static word embeddings).

Its weights and tokenizer ship inside its wheel: it is loaded from the package directory
(wordllama 0.4 looks for its tokenizer under `tokenizer/` but ships it under `tokenizers/`,
so the package directory is passed as the cache) with downloads disabled: it never reaches
the network. On the labelled set it lifts precision@3 over full-text alone at the same
recall (benchmarks/qa.py, docs/qa.md), so it is on by default (`[guilds.qa] rerank`).
Without the package, duplicates are ranked by full-text alone.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


class WordLlamaReranker:
    """Cosine similarity of wordllama's embeddings."""

    def __init__(self, module: Any) -> None:
        package = Path(module.__file__).parent
        self._model = module.WordLlama.load(cache_dir=package, disable_download=True)

    def similarity(self, query: str, documents: Sequence[str]) -> list[float]:
        """One score per document (higher is closer); the query is embedded once."""
        if not documents:
            return []
        vectors = self._model.embed([query, *documents])
        return [
            float(score) for score in self._model.vector_similarity(vectors[:1], vectors[1:])[0]
        ]


def load_reranker() -> WordLlamaReranker | None:
    """The wordllama re-ranker, or None when the package (or its files) is not installed."""
    try:
        module = importlib.import_module("wordllama")
        return WordLlamaReranker(module)
    except (ImportError, FileNotFoundError, OSError) as error:
        log.info("wordllama re-rank unavailable: %s", error)
        return None
