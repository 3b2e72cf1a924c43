"""The points ledger."""
