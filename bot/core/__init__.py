"""The kernel every layer may use; it imports nothing else of the project."""
