"""Members and their presence."""
