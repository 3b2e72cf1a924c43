"""`lyceum demo`: the offline demo (grows as features land)."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

from storage.database import Database
from storage.interaction_log import InteractionLog
from storage.migrate import upgrade


def fresh_data_dir(data_dir: str) -> Path:
    """Empty (or create) the demo's data folder."""
    root = Path(data_dir)
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    return root


async def run_demo(root: Path) -> int:
    """Migrate a fresh SQLite database and push a few weeks of interactions through the log."""
    db = Database.from_url(f"sqlite+aiosqlite:///{root / 'lyceum.db'}")
    try:
        await upgrade(db)
        log = InteractionLog(db, batch_size=500)
        await log.start()
        start = datetime(2026, 10, 5, tzinfo=UTC)
        for day in range(42):
            for user in range(1, 21):
                if (day + user) % 3:
                    log.record(1, user, "message", start + timedelta(days=day, hours=user % 12))
        await log.close()
        print(f"Created {root / 'lyceum.db'} (schema at head).")
        print(f"Wrote {log.stats.written} interactions for 20 members over 6 weeks.")
        print("Not yet in the demo: the Discord/Stripe sandbox, checkout, the weekly report.")
    finally:
        await db.close()
    return 0
