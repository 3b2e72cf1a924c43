"""Q&A: duplicate search over 100,000 earlier questions on SQLite, /ask through the sandbox,
and precision@3 of the duplicate check on the labelled set (tests/fixtures/qa).

Prints one JSON line: {"questions": 100000, "dup_search_p50_ms": ..., "dup_search_p99_ms":
..., "precision_at_3_fts": ..., "precision_at_3_rerank": ..., "ask_p99_ms": ..., "mixed_...":
...}: the `mixed_` keys measure the labelled set again with its earlier questions stored
among the 100,000 (precision@3, and how many of its duplicates are shown).
Targets: duplicate search p99 < 50 ms; /ask submit to reply p99 < 300 ms in the sandbox.
The search is timed as /ask runs it (full-text, then the re-rank when wordllama is there).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from bot.services.qa import duplicates
from bot.services.qa.evaluate import load_pairs, measure, precision_at_3, store_earlier
from bot.services.qa.rerank import load_reranker
from bot.services.qa.service import QaService
from sandbox.community import running_community
from storage.database import Database
from storage.migrate import upgrade
from storage.qa.models import Question

PAIRS = Path(__file__).parents[1] / "tests" / "fixtures" / "qa" / "duplicates.json"
TECH = (
    "python",
    "pandas",
    "numpy",
    "scipy",
    "django",
    "flask",
    "fastapi",
    "celery",
    "asyncio",
    "aiohttp",
    "requests",
    "docker",
    "compose",
    "kubernetes",
    "helm",
    "postgres",
    "mysql",
    "sqlite",
    "redis",
    "kafka",
    "rabbitmq",
    "elasticsearch",
    "react",
    "vue",
    "angular",
    "svelte",
    "typescript",
    "node",
    "npm",
    "yarn",
    "webpack",
    "vite",
    "rust",
    "cargo",
    "tokio",
    "go",
    "gin",
    "java",
    "spring",
    "maven",
    "gradle",
    "kotlin",
    "android",
    "swift",
    "xcode",
    "git",
    "github",
    "gitlab",
    "nginx",
    "apache",
    "terraform",
    "ansible",
    "aws",
    "lambda",
    "s3",
    "ec2",
    "gcp",
    "azure",
    "linux",
    "ubuntu",
    "bash",
    "zsh",
    "powershell",
    "excel",
    "css",
    "html",
    "regex",
    "jwt",
    "oauth",
    "pytest",
    "jest",
    "jupyter",
    "vscode",
    "vim",
    "unity",
    "unreal",
    "opencv",
    "pytorch",
    "tensorflow",
)
THING = (
    "merge",
    "join",
    "query",
    "index",
    "build",
    "deploy",
    "migration",
    "request",
    "response",
    "cache",
    "session",
    "cookie",
    "container",
    "image",
    "volume",
    "network",
    "pod",
    "service",
    "route",
    "middleware",
    "template",
    "form",
    "upload",
    "download",
    "thread",
    "loop",
    "channel",
    "socket",
    "certificate",
    "token",
    "schema",
    "model",
    "test",
    "fixture",
    "dataframe",
    "column",
    "array",
    "tensor",
    "gradient",
    "layer",
    "pipeline",
    "job",
    "worker",
    "queue",
    "topic",
    "consumer",
    "producer",
    "cluster",
    "node",
    "replica",
    "shard",
    "backup",
    "restore",
    "login",
    "signup",
    "password",
    "email",
    "webhook",
    "endpoint",
    "handler",
    "decorator",
    "generator",
    "iterator",
    "closure",
    "callback",
    "promise",
    "hook",
)
TROUBLE = (
    "fails with timeout",
    "returns 404",
    "is very slow",
    "crashes on start",
    "leaks memory",
    "drops rows",
    "gives permission denied",
    "raises KeyError",
    "hangs forever",
    "returns duplicates",
    "ignores my config",
    "breaks after upgrade",
    "works locally but not in CI",
    "throws null pointer",
    "loses data on restart",
    "segfaults randomly",
    "deadlocks under load",
    "is OOMKilled",
    "shows encoding garbage",
    "gets connection reset",
    "returns stale values",
    "double counts events",
)
CONTEXT = (
    "after upgrading to the latest release",
    "only on Windows laptops",
    "when running inside GitHub Actions",
    "since we moved to ARM machines",
    "with large input files around 2GB",
    "when two users submit concurrently",
    "behind the corporate proxy",
    "after switching timezone to UTC",
    "only in production, staging is fine",
    "when the payload contains emoji",
    "after enabling TLS on the cluster",
    "with hot reload enabled",
)


def percentile(values: list[float], fraction: float) -> float:
    """The value below which `fraction` of `values` lie (nearest rank)."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(fraction * len(ordered)) - 1))
    return ordered[rank]


def synthetic(rng: random.Random) -> tuple[str, str]:
    """A made-up but plausible question: a title and its details."""
    tech, other, thing = rng.choice(TECH), rng.choice(TECH), rng.choice(THING)
    title = f"{tech} {thing} {rng.choice(TROUBLE)}"
    details = f"The {thing} {rng.choice(CONTEXT)}; it uses {other} {rng.choice(THING)}."
    return title, details


async def fill(db: Database, guild_id: int, count: int, rng: random.Random, now: datetime) -> None:
    """`count` earlier questions, one a minute up to `now`, as the timers would have left them.

    A third are solved with an answer; the others are closed as inactive, but for the last
    ten hours' (open, no timer due yet): a backlog of due timers would otherwise fire while
    /ask is measured (hundreds of thread messages a minute), which no running bot has.
    """
    async with db.transaction() as session:
        connection = await session.connection()
        for first in range(0, count, 5000):
            rows: list[dict[str, Any]] = []
            for n in range(first, min(count, first + 5000)):
                title, details = synthetic(rng)
                at = now - timedelta(minutes=count - n)
                solved = n % 3 == 0
                recent = now - at < timedelta(hours=10)
                status = "solved" if solved else "open" if recent else "closed"
                closed = status == "closed"
                rows.append(
                    {
                        "guild_id": guild_id, "thread_id": 10**12 + n, "channel_id": 1,
                        "asker_id": 1 + n % 5000, "title": title, "details": details,
                        "tags": [], "status": status, "created_at": at, "last_activity_at": at,
                        "close_reason": "inactive" if closed else None,
                        "closed_at": min(at + timedelta(days=7), now) if closed else None,
                        "answer_text": f"Check the {rng.choice(THING)} of {rng.choice(TECH)}."
                        if solved else None,
                        "helped_count": 0,
                    }
                )  # fmt: skip
            await connection.execute(insert(Question), rows)


async def checkpoint(db: Database) -> None:
    """Write SQLite's log into the database file (as its automatic checkpoints do)."""
    async with db.engine.connect() as connection:
        await connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


async def searches(db: Database, guild_id: int, count: int, rng: random.Random) -> list[float]:
    """Milliseconds of `count` duplicate searches, as /ask runs them."""
    reranker = load_reranker()
    frequencies = duplicates.Frequencies()  # as /ask keeps them: looked up once per word
    timings: list[float] = []
    pairs = load_pairs(PAIRS)
    async with db.read() as session:
        for n in range(count):
            if n % 2:
                title, details = synthetic(rng)
            else:
                query = pairs[n % len(pairs)].query
                title, details = query["title"], query["details"]
            began = time.perf_counter()
            await duplicates.find(
                session, guild_id, title, details, reranker=reranker, frequencies=frequencies
            )
            timings.append((time.perf_counter() - began) * 1000)
    return timings


async def precision(tmp: Path) -> tuple[float, float | None]:
    """precision@3 on the labelled set: full-text alone, and with the re-rank."""
    db = Database.from_url(f"sqlite+aiosqlite:///{tmp / 'labelled.db'}")
    try:
        await upgrade(db)
        pairs = load_pairs(PAIRS)
        ids = await store_earlier(db, 1, pairs, datetime(2026, 1, 1, tzinfo=UTC))
        fts = await precision_at_3(db, 1, pairs, ids)
        reranker = load_reranker()
        rerank = None if reranker is None else await precision_at_3(db, 1, pairs, ids, reranker)
    finally:
        await db.close()
    return fts, rerank


async def among(db: Database, guild_id: int, now: datetime) -> dict[str, Any]:
    """The labelled set's earlier questions stored among the others, its queries searched:
    the duplicate check at scale (where a word's rarity decides what the index is asked)."""
    pairs = load_pairs(PAIRS)
    ids = await store_earlier(db, guild_id, pairs, now - timedelta(days=30))
    fts = await measure(db, guild_id, pairs, ids)
    reranker = load_reranker()
    rerank = None if reranker is None else await measure(db, guild_id, pairs, ids, reranker)
    duplicates_in_set = sum(pair.duplicate for pair in pairs)
    return {
        "mixed_precision_at_3_fts": round(fts.precision, 3),
        "mixed_precision_at_3_rerank": None if rerank is None else round(rerank.precision, 3),
        "mixed_found_fts": f"{fts.found}/{duplicates_in_set}",
        "mixed_found_rerank": None if rerank is None else f"{rerank.found}/{duplicates_in_set}",
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--questions", type=int, default=100_000)
    parser.add_argument("--searches", type=int, default=1000)
    parser.add_argument("--asks", type=int, default=200)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    rng = random.Random(14)
    asks: list[float] = []
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        fts, rerank = await precision(tmp)
        async with running_community(tmp) as world:
            world.discord.rate_limits.enabled = False  # the bot's own cost, not Discord's pacing
            await fill(world.db, world.guild.id, args.questions, rng, world.clock.now())
            await checkpoint(world.db)  # a running bot has no 100,000 rows of WAL pending
            # Members run at most `member_commands_per_minute` commands (two per question);
            # they join before the searches, so their welcome is over when /ask is timed.
            per_member = max(1, world.settings.discord.member_commands_per_minute // 2)
            members = [await world.guild.join(f"bench{n}") for n in range(0, args.asks, per_member)]
            timings = await searches(world.db, world.guild.id, args.searches, rng)
            mixed = await among(world.db, world.guild.id, world.clock.now())
            await world.service(QaService).asking.reranker(world.guild.id)  # loaded once
            for n in range(args.asks):
                title, details = synthetic(rng)
                member = members[n // per_member]
                opened = await member.run("/ask")
                assert opened.modal is not None
                values = {
                    "Title: what are you stuck on?": f"{title} ({n})",
                    "Details: what you tried, what happened": details,
                }
                began = time.perf_counter()
                reply = await member.submit_modal(opened.modal, values, timeout=60)
                asks.append((time.perf_counter() - began) * 1000)
                assert reply.content, "the bot did not answer"
    print(
        json.dumps(
            {
                "questions": args.questions,
                "dup_search_p50_ms": round(statistics.median(timings), 2),
                "dup_search_p99_ms": round(percentile(timings, 0.99), 2),
                "precision_at_3_fts": round(fts, 3),
                "precision_at_3_rerank": None if rerank is None else round(rerank, 3),
                "ask_p50_ms": round(statistics.median(asks), 2),
                "ask_p99_ms": round(percentile(asks, 0.99), 2),
                **mixed,
            }
        )
    )


if __name__ == "__main__":
    asyncio.run(main())
