"""Points: the append-only ledger, per-period balances, rules, levels and preferences."""
