"""Content items and scheduled drops."""
