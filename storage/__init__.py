"""Storage: tables, engine, migrations, queries, the interaction log. Never commits."""
