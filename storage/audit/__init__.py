"""The audit trail every feature writes to."""
