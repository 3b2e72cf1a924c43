"""The rules of the community, in plain async Python (no discord imports)."""
