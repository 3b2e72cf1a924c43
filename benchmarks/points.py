"""Points benchmark: boards, /points, awarding and a full re-score at community scale.

1. Generates a ledger (default 100,000 members, 5,000,000 entries over 52 weeks: answers,
   accepted answers, solved questions, onboarding, drop streaks, reversals and
   adjustments, interleaved in time as they would arrive) into a fresh SQLite database
   with bulk inserts, and its balances per period.
2. Times `/leaderboard` (week, month, all in turn; random callers) and `/points` (random
   members) through the service: p99 of 300 calls each.
3. Awards a burst of 20,000 events published concurrently (the group commit batches
   them) and measures ledger entries written per second.
4. Re-scores everything (accepted answers 15 -> 20): the preview, then the apply.

Prints one JSON line: {"members", "entries", "leaderboard_p99_ms", "points_p99_ms",
"award_per_s", "rescore_s"} (rescore_s: the apply, which recomputes and writes).
Progress goes to stderr.

    python benchmarks/points.py [--members N] [--entries N] [--dir PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import shutil
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.core.access import Caller, Permission  # noqa: E402
from bot.core.clock import FakeClock  # noqa: E402
from bot.core.events import AnswerAccepted, AnswerPosted, DomainEvent  # noqa: E402
from bot.services.points import PointsService, Rescorer  # noqa: E402
from bot.services.points.levels import SKOOL_THRESHOLDS  # noqa: E402
from bot.services.roles import RoleService  # noqa: E402
from bot.settings import GuildConfig, Settings  # noqa: E402
from storage.database import Database  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.points.periods import month_key, week_key  # noqa: E402

GUILD = 1
NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)  # a Wednesday
WEEKS = 52
CALLS = 300
BURST = 20_000
MOD = Caller(9, permissions=Permission.MANAGE_ROLES)
FIRST_USER = 10**17
LEDGER_INSERT = (
    "INSERT INTO points_ledger (guild_id, user_id, rule, cause, seq, kind, delta, day, ref,"
    " actor_id, note, at) VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
# (rule, share of entries, weight)
MIX = (
    ("answer_posted", 0.60, 2),
    ("answer_accepted", 0.17, 15),
    ("question_solved", 0.10, 1),
    ("drop_streak", 0.04, 3),
    ("adjust", 0.01, 0),
)
REVERSED = 0.04  # share of entries that are reversals of answers and acceptances


def say(message: str) -> None:
    """Progress on stderr."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def p99_ms(samples: list[float]) -> float:
    """The 99th percentile of durations in seconds, in milliseconds."""
    return round(float(np.percentile(np.array(samples), 99)) * 1000, 2)


class NoDiscord:
    """Ports that do nothing: the benchmark measures points, not Discord."""

    async def add(self, guild_id: int, user_id: int, role_id: int, reason: str) -> None:
        """Nothing."""

    async def remove(self, guild_id: int, user_id: int, role_id: int, reason: str) -> None:
        """Nothing."""

    async def member_role_ids(self, guild_id: int, user_id: int) -> frozenset[int] | None:
        """Nobody."""
        return frozenset()

    async def describe(self, guild_id: int, role_id: int) -> None:
        """No role."""

    async def post(self, channel_id: int, message: object) -> int:
        """Nothing."""
        return 1

    async def dm(self, user_id: int, message: object) -> None:
        """Nothing."""


def generate(path: Path, members: int, entries: int, rng: np.random.Generator) -> None:
    """Bulk-insert a consistent ledger and its balances (raw sqlite3, outside the bot)."""
    first_day = (NOW - timedelta(weeks=WEEKS)).date()
    days = [first_day + timedelta(days=i) for i in range(WEEKS * 7 + 1)]
    day_text = [d.isoformat() for d in days]
    onboarded = members
    reversals = int(entries * REVERSED)
    rest = entries - onboarded - reversals
    counts = [int(rest * share) for _, share, _ in MIX]
    counts[0] += rest - sum(counts)
    # Activity is heavy-tailed: a few members answer a lot.
    activity = np.cumsum(rng.lognormal(0.0, 1.5, members))
    users_of = [
        np.searchsorted(activity, rng.random(n) * activity[-1]) for n in counts
    ]  # member index per entry, per rule
    rows: list[tuple[float, tuple[Any, ...]]] = []
    for m in range(members):
        when = rng.random() * 0.3
        rows.append((when, (m, "onboarded", f"member:{m}", 0, "award", 5, 0, 0, 0, "")))
    serial = 0
    reversible: list[tuple[int, str, str, int, int]] = []
    for (rule, _, weight), who in zip(MIX, users_of, strict=True):
        when_all = rng.random(len(who)) ** 0.8
        for m, when in zip(who.tolist(), when_all.tolist(), strict=True):
            serial += 1
            day = int(when * (len(days) - 1))
            if rule == "answer_posted":
                row = (m, rule, f"question:{serial}", 0, "award", weight, day, serial, 0, "")
                reversible.append((m, rule, row[2], weight, day))
            elif rule == "answer_accepted":
                row = (m, rule, f"answer:{serial}", 0, "award", weight, day, 0, 0, "")
                reversible.append((m, rule, row[2], weight, day))
            elif rule == "question_solved":
                row = (m, rule, f"question:{serial}", 0, "award", weight, day, 0, 0, "")
            elif rule == "drop_streak":
                row = (m, rule, f"week:{serial}", 0, "award", weight, day, 0, 0, "")
            else:
                delta = int(rng.integers(-20, 50)) or 1
                row = (m, rule, f"interaction:{serial}", 0, "adjust", delta, day, 0, 7, "seed")
            rows.append((when, row))
    picks = rng.choice(len(reversible), size=reversals, replace=False)
    for i in picks.tolist():
        m, rule, cause, weight, day = reversible[i]
        when = day / (len(days) - 1) + 1e-6
        rows.append((when, (m, rule, cause, 1, "reverse", -weight, day, 0, 0, "")))
    say(f"generated {len(rows):,} entries; sorting them by time")
    rows.sort(key=lambda r: r[0])
    start = NOW - timedelta(weeks=WEEKS)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-524288")
    sums: dict[tuple[str, int], int] = {}
    batch = []
    span = (NOW - start).total_seconds()
    for when, (m, rule, cause, seq, kind, delta, day, ref, actor, note) in rows:
        user = FIRST_USER + m
        at = (start + timedelta(seconds=when * span)).strftime("%Y-%m-%d %H:%M:%S.%f")
        batch.append((user, rule, cause, seq, kind, delta, day_text[day], ref, actor, note, at))
        d = days[day]
        for period in ("all", week_key(d), month_key(d)):
            sums[(period, user)] = sums.get((period, user), 0) + delta
        if len(batch) == 200_000:
            conn.executemany(LEDGER_INSERT, batch)
            conn.commit()
            batch = []
            say(f"  inserted up to {len(sums):,} balances")
    conn.executemany(LEDGER_INSERT, batch)
    conn.executemany(
        "INSERT INTO points_balances (guild_id, period, user_id, points) VALUES (1, ?, ?, ?)",
        [(p, u, n) for (p, u), n in sums.items() if n],
    )
    thresholds = np.array(SKOOL_THRESHOLDS)
    conn.executemany(
        "INSERT INTO points_members (guild_id, user_id, hidden, level) VALUES (1, ?, ?, ?)",
        [
            (u, int(rng.random() < 0.02), int(np.searchsorted(thresholds, n, "right") - 1))
            for (p, u), n in sums.items()
            if p == "all"
        ],
    )
    conn.execute(
        "INSERT INTO points_settings (guild_id, rules, levels, updated_at)"
        " VALUES (1, '{}', '[]', ?)",
        (NOW.strftime("%Y-%m-%d %H:%M:%S.%f"),),
    )
    conn.commit()
    conn.execute("ANALYZE")
    conn.close()


async def measure(path: Path, members: int) -> dict[str, float]:
    """The timings, through the service on the bot's own database layer."""
    db = Database.from_url(f"sqlite+aiosqlite:///{path}")
    clock = FakeClock(NOW)
    settings = Settings(guilds=(GuildConfig(GUILD),))
    fake = NoDiscord()
    roles = RoleService(settings, db, clock, roles=fake, notifier=fake, publisher=fake)
    service = PointsService(settings, db, clock, roles)
    pick = random.Random(7)
    users = [FIRST_USER + pick.randrange(members) for _ in range(CALLS)]
    try:
        board = []
        for i, user in enumerate(users):
            began = time.perf_counter()
            await service.leaderboard(GUILD, user, ("week", "month", "all")[i % 3])
            board.append(time.perf_counter() - began)
        say(f"leaderboard p99 {p99_ms(board)} ms")
        history = []
        for user in users:
            began = time.perf_counter()
            await service.points(GUILD, user)
            history.append(time.perf_counter() - began)
        say(f"/points p99 {p99_ms(history)} ms")
        award_rate = await award_burst(service, db, members, pick)
        say(f"awarding {award_rate:,.0f} entries/s")
        rescorer = Rescorer(service)
        began = time.perf_counter()
        preview = await rescorer.preview(GUILD, MOD, {"answer_accepted": 20})
        say(f"re-score preview {time.perf_counter() - began:.1f} s: {preview.members:,} members")
        began = time.perf_counter()
        await rescorer.apply(GUILD, MOD, preview.rescore_id)
        rescore_s = time.perf_counter() - began
        say(f"re-score apply {rescore_s:.1f} s")
    finally:
        await db.close()
    return {
        "leaderboard_p99_ms": p99_ms(board),
        "points_p99_ms": p99_ms(history),
        "award_per_s": round(award_rate),
        "rescore_s": round(rescore_s, 1),
    }


async def award_burst(
    service: PointsService, db: Database, members: int, pick: random.Random
) -> float:
    """Entries per second for a burst of answers and acceptances published at once."""
    events: list[DomainEvent] = []
    for i in range(BURST // 2):
        question, message = 10**12 + i, 10**13 + i
        answerer, asker = (FIRST_USER + pick.randrange(members) for _ in range(2))
        if answerer == asker:
            continue
        events.append(AnswerPosted(GUILD, NOW, question, answerer, message))
        events.append(AnswerAccepted(GUILD, NOW, question, asker, answerer, message))
    before = await ledger_size(db)
    began = time.perf_counter()
    await asyncio.gather(*(service.handle(event) for event in events))
    elapsed = time.perf_counter() - began
    return (await ledger_size(db) - before) / elapsed


async def ledger_size(db: Database) -> int:
    """Rows in the ledger."""
    async with db.read() as session:
        connection = await session.connection()
        result = await connection.exec_driver_sql("SELECT max(id) FROM points_ledger")
        return int(result.scalar_one() or 0)


async def main() -> None:
    """Generate, measure, print the JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--entries", type=int, default=5_000_000)
    parser.add_argument("--dir", type=Path, default=None)
    parser.add_argument(
        "--fixture", type=Path, default=None, help="keep the generated ledger here and reuse it"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as folder:
        path = Path(folder) / "points.db"
        if args.fixture is None or not args.fixture.exists():
            db = Database.from_url(f"sqlite+aiosqlite:///{path}")
            await upgrade(db)
            await db.close()
            began = time.perf_counter()
            generate(path, args.members, args.entries, np.random.default_rng(15))
            say(f"fixture built in {time.perf_counter() - began:.0f} s")
            if args.fixture is not None:
                shutil.copyfile(path, args.fixture)
        else:
            shutil.copyfile(args.fixture, path)
            db = Database.from_url(f"sqlite+aiosqlite:///{path}")
            await upgrade(db)  # a fixture built before later migrations
            await db.close()
            say(f"fixture copied from {args.fixture}")
        numbers = await measure(path, args.members)
    print(json.dumps({"members": args.members, "entries": args.entries, **numbers}), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
