"""Questions and answers: the lifecycle's tables, their queries and the full-text search."""
