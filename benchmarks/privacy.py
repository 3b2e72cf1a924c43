"""Privacy benchmark: export and delete one very active member in a large community.

1. Generates a community (default 100,000 members, 10,000,000 interactions over 52 weeks,
   the same generator as benchmarks/stats.py) into a fresh SQLite database with bulk
   inserts, gives one member who never left 100,000 interactions of their own, and builds
   the stats rollups.
2. Computes the weekly report JSON of the last 4 complete weeks.
3. Times `/privacy export` (the JSON file) and `/privacy delete` (every feature's hook in
   one transaction, with "stop recording me") for that member.
4. Computes the same reports again and compares them byte for byte.

Prints one JSON line: {"members", "interactions", "member_interactions", "export_s",
"export_mb", "delete_s", "report_unchanged"}. Progress goes to stderr.
Targets: export < 5 s, delete < 10 s, report_unchanged true.

    python benchmarks/privacy.py [--members N] [--interactions N]
                                 [--member-interactions N] [--dir PATH] [--fixture PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.stats import END, GUILD, INSERT, generate_history, say, timestamps  # noqa: E402
from bot.core.clock import FakeClock  # noqa: E402
from bot.features import FEATURES  # noqa: E402
from bot.services.privacy import FeatureHooks, PrivacyService  # noqa: E402
from bot.services.stats import IsoWeek, StatsService  # noqa: E402
from bot.settings import GuildConfig, Secret, Settings  # noqa: E402
from storage.database import Database  # noqa: E402
from storage.interaction_log import InteractionLog  # noqa: E402
from storage.migrate import upgrade  # noqa: E402

FIRST_USER = 200_000_000_000_000_000
WEEKS = 52
HEAVY_KINDS = ("message", "reaction", "reply", "command", "drop_open", "answer")


def settings() -> Settings:
    """One guild, and the privacy key."""
    return Settings(
        guilds=(GuildConfig(id=GUILD),), privacy_secret=Secret("benchmark-privacy-secret-0123")
    )


def add_heavy_member(path: Path, rng: np.random.Generator, count: int) -> int:
    """Give the earliest member who never left `count` interactions; their id."""
    conn = sqlite3.connect(path)
    user = conn.execute(
        "SELECT user_id FROM interactions WHERE kind = 'join' AND user_id NOT IN "
        "(SELECT user_id FROM interactions WHERE kind = 'leave') ORDER BY at LIMIT 1"
    ).fetchone()[0]
    joined = conn.execute(
        "SELECT at FROM interactions WHERE kind = 'join' AND user_id = ?", (user,)
    ).fetchone()[0]
    start = datetime.fromisoformat(joined).replace(tzinfo=UTC).timestamp()
    when = np.sort(start + (END.timestamp() - start) * rng.random(count))
    kinds = rng.choice(len(HEAVY_KINDS), size=count).tolist()
    rows = [
        (GUILD, user, HEAVY_KINDS[k], 100, None, stamp, None, f"message:h{i}")
        for i, (k, stamp) in enumerate(zip(kinds, timestamps(when), strict=True))
    ]
    conn.executemany(INSERT, rows)
    conn.commit()
    conn.close()
    return int(user)


async def reports(stats: StatsService, weeks: list[IsoWeek]) -> str:
    """The weekly report JSON of these weeks, as one string."""
    found = [(await stats.weekly_report(GUILD, week)).to_json() for week in weeks]
    return json.dumps(found, sort_keys=True, default=str)


async def build(path: Path, members: int, interactions: int, heavy: int) -> int:
    """The community with its rollups built; the heavy member's id."""
    db = Database.from_url(f"sqlite+aiosqlite:///{path}")
    await upgrade(db)
    await db.close()
    rng = np.random.default_rng(16)
    say(f"generating {members:,} members and {interactions:,} interactions")
    generate_history(path, rng, members=members, interactions=interactions,
                     start=END - timedelta(weeks=WEEKS), weeks=WEEKS,
                     first_user=FIRST_USER, first_key=1)  # fmt: skip
    user = add_heavy_member(path, rng, heavy)
    say(f"member {user} has {heavy:,} more interactions")
    db = Database.from_url(f"sqlite+aiosqlite:///{path}")
    try:
        started = time.perf_counter()
        await StatsService(db, FakeClock(END + timedelta(hours=9)), settings()).refresh_rollups()
        say(f"rollups built in {time.perf_counter() - started:.1f}s")
    finally:
        await db.close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return user


async def run(
    members: int, interactions: int, heavy: int, folder: Path, fixture: Path | None, reuse: bool
) -> dict[str, object]:
    """Build (or copy) the community, then time the export and the deletion."""
    path = folder / "privacy.db"
    sidecar = fixture.with_suffix(".json") if fixture else None
    if reuse and fixture is not None and sidecar is not None:
        say(f"copying the fixture {fixture}")
        shutil.copyfile(fixture, path)
        user = int(json.loads(sidecar.read_text())["user"])
    else:
        user = await build(path, members, interactions, heavy)
        if fixture is not None and sidecar is not None:
            shutil.copyfile(path, fixture)
            sidecar.write_text(json.dumps({"user": user}))
    db = Database.from_url(f"sqlite+aiosqlite:///{path}")
    clock = FakeClock(END + timedelta(hours=9))
    config = settings()
    stats = StatsService(db, clock, config)
    try:
        last = stats.last_complete_week(GUILD)
        weeks = [last.shift(-back) for back in range(3, -1, -1)]
        before = await reports(stats, weeks)
        hooks = [
            FeatureHooks(f.name, f.privacy.tables, f.privacy.export_member,
                         f.privacy.forget_member, f.privacy.kept)
            for f in FEATURES
            if f.privacy is not None
        ]  # fmt: skip
        privacy = PrivacyService(db, clock, config, InteractionLog(db), hooks)
        started = time.perf_counter()
        export = await privacy.export(GUILD, user)
        export_s = time.perf_counter() - started
        say(f"export: {len(export.data) / 1e6:.1f} MB in {export_s:.2f}s")
        started = time.perf_counter()
        deleted = await privacy.delete(GUILD, user, stop_recording=True)
        delete_s = time.perf_counter() - started
        say(f"delete: {deleted.rows:,} rows in {delete_s:.2f}s")
        after = await reports(stats, weeks)
    finally:
        await db.close()
    return {
        "members": members,
        "interactions": interactions + heavy,
        "member_interactions": len(json.loads(export.data)["features"]["activity"]["interactions"]),
        "export_s": round(export_s, 3),
        "export_mb": round(len(export.data) / 1e6, 1),
        "delete_s": round(delete_s, 3),
        "report_unchanged": before == after,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--interactions", type=int, default=10_000_000)
    parser.add_argument("--member-interactions", type=int, default=100_000)
    parser.add_argument("--dir", help="work folder (default: a temporary one, removed after)")
    parser.add_argument(
        "--fixture", help="keep the built community in this file and reuse it when it exists"
    )
    args = parser.parse_args()
    folder = Path(args.dir) if args.dir else Path(tempfile.mkdtemp(prefix="lyceum-privacy-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        result = asyncio.run(
            run(
                args.members,
                args.interactions,
                args.member_interactions,
                folder,
                Path(args.fixture) if args.fixture else None,
                bool(args.fixture) and Path(args.fixture).exists(),
            )
        )
    finally:
        if not args.dir:
            shutil.rmtree(folder, ignore_errors=True)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
