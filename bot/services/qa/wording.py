"""Words of a question: the quality gates, the search terms, the words two questions share."""

from __future__ import annotations

import re

from bot.core.text import t

TITLE_MIN = 15
DETAILS_MIN = 20
TITLE_MAX = 100  # a thread's name
DETAILS_MAX = 1700  # the first message of the thread holds it (2,000 with the guide)
MAX_TERMS = 12

_TOKEN = re.compile(r"[a-z0-9]+")
# Titles made only of these words say nothing about the problem ("Help please!!").
_FILLER = frozenset(
    [
        "help",
        "question",
        "questions",
        "please",
        "pls",
        "plz",
        "me",
        "i",
        "my",
        "need",
        "needed",
        "a",
        "an",
        "anyone",
        "someone",
        "can",
        "somebody",
        "urgent",
        "hi",
        "hello",
        "hey",
        "quick",
        "small",
        "simple",
        "issue",
        "problem",
        "thanks",
        "thank",
        "you",
        "guys",
        "have",
        "got",
        "any",
        "with",
        "the",
        "this",
        "is",
        "it",
    ]
)
STOPWORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "him",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "get",
        "got",
        "getting",
        "use",
        "using",
        "used",
        "want",
        "wanted",
        "trying",
        "try",
        "tried",
        "work",
        "works",
        "working",
        "need",
        "help",
        "please",
        "thanks",
        "anyone",
        "someone",
        "way",
        "know",
        "also",
        "still",
        "like",
        "one",
        "two",
        "thing",
        "something",
        "does",
        "doesn",
        "don",
        "t",
        "s",
        "m",
        "ve",
        "ll",
        "re",
        "d",
    ]
)


def tokens(text: str) -> list[str]:
    """Lowercase words of letters and digits."""
    return _TOKEN.findall(text.lower())


def stem(word: str) -> str:
    """A light stem, so "errors", "erroring" and "error" meet (shown words stay whole)."""
    for suffix in ("ing", "ies", "es", "ed", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


def terms(title: str, details: str) -> list[str]:
    """Search terms: the title's content words first, then the details', at most 12."""
    found: dict[str, None] = {}
    for word in tokens(title) + tokens(details):
        if word not in STOPWORDS and len(word) >= 2 and not word.isdigit():
            found.setdefault(word)
        if len(found) == MAX_TERMS:
            break
    return list(found)


def shared_words(query: list[str], text: str) -> tuple[str, ...]:
    """The query's words that also appear (stemmed) in `text`, in query order."""
    present = {stem(word) for word in tokens(text)}
    return tuple(word for word in query if stem(word) in present)


def quality_problems(title: str, details: str) -> tuple[str, ...]:
    """Why a question is not ready to post (empty when it is)."""
    problems: list[str] = []
    words = tokens(title)
    if len(title.strip()) < TITLE_MIN:
        problems.append(
            t(
                "The title is too short: say what you are stuck on in at least {n} characters.",
                n=TITLE_MIN,
            )
        )
    elif not words or all(word in _FILLER for word in words):
        problems.append(
            t(
                'A title like "help" or "question" says nothing about the problem: name it '
                '(for example "pandas merge drops rows with NaN keys").'
            )
        )
    if len(details.strip()) < DETAILS_MIN:
        problems.append(
            t(
                "Add some details (at least {n} characters): what you tried, what happened, "
                "what you expected.",
                n=DETAILS_MIN,
            )
        )
    return tuple(problems)
