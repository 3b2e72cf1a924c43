"""Q&A threads: ask well, find duplicates first, answer, solve (docs/qa.md)."""
