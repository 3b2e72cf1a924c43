"""Stats benchmark: a weekly report's cost must follow the week, not the community's age.

1. Generates a community (default 100,000 members, 10,000,000 interactions over 52
   weeks) into a fresh SQLite database and builds the stats rollups.
2. Keeps a copy of that database, doubles the history of the original (52 more weeks
   of members and interactions before it) and brings its rollups up to date.
3. Times the weekly report of the last week on both, alternating between them so the
   machine's noise falls on both alike (medians of 7 runs each).
4. Imports a generated DiscordChatExporter export of 1,000,000 messages into another
   fresh database (rollups included) and measures messages per second.

Prints one JSON line: {"members", "interactions", "report_s", "report_s_double_history",
"growth_ratio", "peak_rss_mb", "import_msgs_per_s"}. Progress goes to stderr.

    python benchmarks/stats.py [--members N] [--interactions N] [--weeks N]
                               [--import-messages N] [--dir PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.core.clock import FakeClock  # noqa: E402
from bot.services.importer import DceImporter  # noqa: E402
from bot.services.stats import IsoWeek, StatsService  # noqa: E402
from bot.settings import GuildConfig, Settings  # noqa: E402
from storage.database import Database  # noqa: E402
from storage.migrate import upgrade  # noqa: E402

GUILD = 1
END = datetime(2026, 11, 23, tzinfo=UTC)  # Monday: the report is for the week before
KINDS = np.array(
    ["message", "reaction", "reply", "command", "drop_open", "voice_join", "button",
     "thread_create", "answer"]
)  # fmt: skip
KIND_WEIGHTS = np.array([0.50, 0.25, 0.10, 0.05, 0.03, 0.03, 0.02, 0.01, 0.01])
CHUNK = 250_000
INSERT = (
    "INSERT INTO interactions (guild_id, user_id, kind, channel_id, ref, at, meta, source_key)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)


def peak_rss_mb() -> float:
    """The largest resident set so far, of this process or of a child (the import's parser)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, child) / 1024


def say(message: str) -> None:
    """Progress on stderr, with the peak memory so far."""
    stamp = time.strftime("%H:%M:%S")
    print(f"[{stamp}] {message}  (peak RSS {peak_rss_mb():,.0f} MB)", file=sys.stderr, flush=True)


def timestamps(seconds: np.ndarray) -> list[str]:
    """Epoch seconds (float) to the text SQLite stores for `UTCDateTime`."""
    micros = (seconds * 1_000_000).astype("int64").astype("datetime64[us]")
    return [s.replace("T", " ") for s in np.datetime_as_string(micros, unit="us").tolist()]


def generate_history(
    path: Path,
    rng: np.random.Generator,
    *,
    members: int,
    interactions: int,
    start: datetime,
    weeks: int,
    first_user: int,
    first_key: int,
) -> None:
    """Members joining over `weeks` weeks from `start` (some leave, some pay); their activity."""
    t0, span = start.timestamp(), weeks * 7 * 86400
    # Growth: more joins later; each member's join time, sorted.
    joins = np.sort(t0 + span * np.sqrt(rng.random(members)))
    users = np.arange(first_user, first_user + members)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-262144")
    rows: list[tuple[object, ...]] = []
    leave_at = joins + rng.exponential(3 * 365 * 86400, members)  # ~15 % leave within a year
    leaving = leave_at < t0 + span
    payers = rng.random(members) < 0.05
    pay_start = joins + rng.random(members) * 30 * 86400
    pay_end = pay_start + rng.random(members) * 200 * 86400
    for i, user in enumerate(users.tolist()):
        rows.append((GUILD, user, "join", None, None, joins[i], None, None))
        if leaving[i]:
            rows.append((GUILD, user, "leave", None, None, leave_at[i], None, None))
        if payers[i] and pay_start[i] < t0 + span:
            meta = json.dumps(
                {"source": "stripe", "amount": 1200, "currency": "eur", "interval": "month",
                 "interval_count": 1}
            )  # fmt: skip
            rows.append((GUILD, user, "paid_start", None, "pro", pay_start[i], meta, None))
            if pay_end[i] < t0 + span:
                rows.append((GUILD, user, "paid_end", None, "pro", pay_end[i], None, None))
    stamps = timestamps(np.array([r[5] for r in rows]))
    conn.executemany(INSERT, [(*r[:5], s, *r[6:]) for r, s in zip(rows, stamps, strict=True)])
    conn.commit()
    del rows
    # How active each member is: heavy-tailed, as in real communities.
    weights = np.cumsum(rng.lognormal(0.0, 1.5, members))
    key = first_key
    done = 0
    while done < interactions:
        n = min(CHUNK, interactions - done)
        # Activity leans towards recent weeks; a member acts only after joining.
        when = np.sort(t0 + span * rng.random(n) ** 0.7)
        joined = np.searchsorted(joins, when)
        who = np.empty(n, dtype=np.int64)
        pending = np.ones(n, dtype=bool)
        reach = weights[np.maximum(joined - 1, 0)]
        for _ in range(4):  # members who already left pick someone else
            pick = np.searchsorted(weights, rng.random(n) * reach)
            pick = np.minimum(pick, np.maximum(joined - 1, 0))
            who = np.where(pending, pick, who)
            pending &= leave_at[who] <= when
        kinds = KINDS[rng.choice(len(KINDS), size=n, p=KIND_WEIGHTS)].tolist()
        refs = rng.integers(1, 51, size=n).tolist()
        batch = []
        for user, kind, ref, stamp in zip(
            users[who].tolist(), kinds, refs, timestamps(when), strict=True
        ):
            source = None
            if kind in ("message", "reply"):
                source = f"message:{key}"
                key += 1
            batch.append(
                (GUILD, user, kind, 100, str(ref) if kind == "drop_open" else None, stamp,
                 None, source)
            )  # fmt: skip
        conn.executemany(INSERT, batch)
        conn.commit()
        done += n
        say(f"  {done:,} / {interactions:,} interactions")
    conn.close()


async def timed_reports(
    dbs: dict[str, Database], week: IsoWeek, rounds: int = 7
) -> dict[str, float]:
    """Median seconds of the weekly report on each database, timed in alternation so the
    machine's noise falls on both alike (one warm-up run each first)."""
    services = {
        name: StatsService(db, FakeClock(END + timedelta(hours=9)), _settings())
        for name, db in dbs.items()
    }
    times: dict[str, list[float]] = {name: [] for name in dbs}
    for name, service in services.items():
        report = await service.weekly_report(GUILD, week)
        say(f"  {name}: members {report.members.end:,}, WAU {report.wau:,}, MAU {report.mau:,}")
    for _ in range(rounds):
        for name, service in services.items():
            started = time.perf_counter()
            await service.weekly_report(GUILD, week)
            times[name].append(time.perf_counter() - started)
    for name, runs in times.items():
        say(f"  report {week} on {name}: {', '.join(f'{t:.3f}s' for t in runs)}")
    return {name: statistics.median(runs) for name, runs in times.items()}


async def refresh(db: Database) -> None:
    """Bring the rollups up to date (the real refresh path)."""
    started = time.perf_counter()
    summary = await StatsService(db, FakeClock(END), _settings()).refresh_rollups()
    say(f"  rollups: {summary.rows:,} rows, {summary.days} days, {summary.members:,} members "
        f"in {time.perf_counter() - started:.1f}s")  # fmt: skip


def _settings() -> Settings:
    return Settings(guilds=(GuildConfig(id=GUILD),))


def write_export(path: Path, messages: int, rng: np.random.Generator) -> None:
    """A DiscordChatExporter-style export: joins, messages, replies, reactions, bots."""
    authors = max(1, messages // 50)
    start = END - timedelta(weeks=26)
    step = 26 * 7 * 86400 / messages
    seen: set[int] = set()
    with path.open("w", encoding="utf-8") as out:
        out.write(json.dumps({
            "guild": {"id": str(GUILD), "name": "Benchmark", "iconUrl": ""},
            "channel": {"id": "100", "type": "GuildTextChat", "categoryId": None,
                        "category": None, "name": "general", "topic": None},
            "dateRange": {"after": None, "before": None},
            "exportedAt": END.isoformat(),
        }, indent=2)[:-2])  # fmt: skip
        out.write(',\n  "messages": [\n')
        who = (rng.random(messages) ** 2 * authors).astype(int) + 1000
        for i in range(messages):
            user = int(who[i])
            at = start + timedelta(seconds=i * step)
            kind = "Default"
            if user not in seen:
                seen.add(user)
                kind = "GuildMemberJoin" if i % 3 else "Default"
            elif i % 10 == 0:
                kind = "Reply"
            bot = i % 97 == 0
            message: dict[str, object] = {
                "id": str(10**15 + i),
                "type": kind,
                "timestamp": at.astimezone(UTC).isoformat(timespec="milliseconds"),
                "timestampEdited": None,
                "callEndedTimestamp": None,
                "isPinned": False,
                "content": "Benchmark message about async Python and SQL " * 2,
                "author": {"id": str(99 if bot else user), "name": f"user{user}",
                           "discriminator": "0000", "nickname": None, "color": None,
                           "isBot": bot, "roles": [], "avatarUrl": ""},
                "attachments": [], "embeds": [], "stickers": [],
                "reactions": [
                    {"emoji": {"id": "", "name": "👍", "code": "thumbsup", "isAnimated": False,
                               "imageUrl": ""},
                     "count": 1,
                     "users": [{"id": str(int(who[i - 1])), "name": "x", "discriminator": "0000",
                                "nickname": None, "isBot": False, "avatarUrl": ""}]}
                ] if i % 20 == 0 and i else [],
                "mentions": [],
                "inlineEmojis": [],
            }  # fmt: skip
            if kind == "Reply":
                message["reference"] = {"messageId": str(10**15 + i - 1), "channelId": "100",
                                        "guildId": str(GUILD)}  # fmt: skip
            text = json.dumps(message, indent=2, ensure_ascii=False).replace("\n", "\n    ")
            out.write("    " + text + (",\n" if i < messages - 1 else "\n"))
        out.write(f'  ],\n  "messageCount": {messages}\n}}\n')


async def import_benchmark(folder: Path, messages: int, rng: np.random.Generator) -> float:
    """Messages per second importing a generated export into a fresh database."""
    export = folder / "export.json"
    say(f"writing a {messages:,}-message export")
    write_export(export, messages, rng)
    say(f"  {export.stat().st_size / 1e6:,.0f} MB; importing")
    db = Database.from_url(f"sqlite+aiosqlite:///{folder / 'import.db'}")
    try:
        await upgrade(db)
        stats = StatsService(db, FakeClock(END), _settings())
        started = time.perf_counter()
        (result,) = await DceImporter(db, stats).import_files(GUILD, [export])
        elapsed = time.perf_counter() - started
    finally:
        await db.close()
    if result.error:
        raise SystemExit(result.error)
    say(f"  imported {result.messages:,} messages ({result.added:,} rows) in {elapsed:.1f}s")
    export.unlink()
    return result.messages / elapsed


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--interactions", type=int, default=10_000_000)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--import-messages", type=int, default=1_000_000)
    parser.add_argument("--dir", help="work folder (default: a temporary one, removed after)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        folder = Path(tmp)
        rng = np.random.default_rng(20261123)
        path = folder / "stats.db"
        db = Database.from_url(f"sqlite+aiosqlite:///{path}")
        await upgrade(db)
        week = IsoWeek.containing((END - timedelta(days=1)).date())
        say(f"generating {args.members:,} members, {args.interactions:,} interactions")
        generate_history(
            path, rng, members=args.members, interactions=args.interactions,
            start=END - timedelta(weeks=args.weeks), weeks=args.weeks, first_user=10**6,
            first_key=0,
        )  # fmt: skip
        await refresh(db)
        await db.close()  # checkpoints the WAL, so the file alone is the whole database
        single_path = folder / "history.db"
        shutil.copyfile(path, single_path)
        say(f"doubling the history: {args.weeks} more weeks before it")
        generate_history(
            path, rng, members=args.members, interactions=args.interactions,
            start=END - timedelta(weeks=2 * args.weeks), weeks=args.weeks,
            first_user=10**7, first_key=args.interactions,
        )  # fmt: skip
        db = Database.from_url(f"sqlite+aiosqlite:///{path}")
        await refresh(db)
        single = Database.from_url(f"sqlite+aiosqlite:///{single_path}")
        medians = await timed_reports({"history": single, "doubled history": db}, week)
        report_s, double_s = medians["history"], medians["doubled history"]
        await single.close()
        await db.close()
        import_rate = await import_benchmark(folder, args.import_messages, rng)
    peak_mb = peak_rss_mb()
    print(
        json.dumps(
            {
                "members": args.members,
                "interactions": args.interactions,
                "report_s": round(report_s, 3),
                "report_s_double_history": round(double_s, 3),
                "growth_ratio": round(double_s / report_s, 3),
                "peak_rss_mb": round(peak_mb, 1),
                "import_msgs_per_s": round(import_rate),
            }
        )
    )


if __name__ == "__main__":
    asyncio.run(main())
