"""Stripe webhooks: the real endpoint on SQLite vs a bare aiohttp handler, in the same run.

The events are real Stripe shapes: the Stripe sandbox plays purchases, renewals, failed
payments, refunds and disputes with its webhook sender paused, and the held events are
what we post. K sender tasks in a child process (the other core) post M signed
deliveries, 10 % of them repeats of earlier ones, first to the bot's webhook endpoint
(receiver + group commit + the event worker applying them, re-reading Stripe when it
must), then to a handler that only answers 200. Prints one JSON line:

{"events": M, "events_per_s": ..., "p99_ms": ..., "bare_events_per_s": ...,
 "lost": 0, "duplicates_applied": 0, ...}

Targets with 20 senders: events_per_s >= 500, p99_ms < 100, lost = 0.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from bot.core.clock import FakeClock
from bot.runtime import web_server
from bot.scheduler import Scheduler
from bot.services.billing import BillingService
from bot.services.roles import RoleService
from bot.settings import GuildConfig, Secret, Settings, StripeSettings, TierConfig
from bot.stripe_api import StripeHttpApi
from bot.stripe_webhook import receiver_app
from sandbox.stripe import StripeSandbox, serialize, sign_payload
from storage.billing import queries as billing
from storage.database import Database
from storage.migrate import upgrade

SECRET = "whsec_benchmark"
START = datetime(2026, 11, 2, 9, tzinfo=UTC)
GUILD = 1


class Offline:
    """Discord is not part of this benchmark: role changes stay queued in the outbox."""

    def __getattr__(self, name: str) -> Any:
        raise RuntimeError(f"Discord is offline in the benchmark ({name})")


async def play_stripe(stripe_sb: StripeSandbox, clock: FakeClock, wanted: int) -> list[str]:
    """Run purchases and their aftermath until `wanted` events are held; their bodies."""
    rng = random.Random(5)
    stripe_sb.webhooks.pause()
    member = 0
    subscriptions: list[str] = []
    while len(stripe_sb.webhooks.held) < wanted:
        member += 1
        one_time = member % 4 == 0
        meta = {"guild_id": str(GUILD), "user_id": str(member),
                "tier": "lifetime" if one_time else "pro"}  # fmt: skip
        params: dict[str, Any] = {
            "mode": "payment" if one_time else "subscription",
            "line_items": [{"price": "price_life" if one_time else "price_pro", "quantity": 1}],
            "client_reference_id": f"{GUILD}:{member}", "metadata": meta,
            "success_url": "https://example.com/ok", "cancel_url": "https://example.com/no",
        }  # fmt: skip
        params["payment_intent_data" if one_time else "subscription_data"] = {"metadata": meta}
        session = stripe_sb.create_checkout_session(params)
        outcome = await stripe_sb.pay(session["id"])
        clock.advance(timedelta(seconds=1))
        if one_time and outcome.charge_id and rng.random() < 0.3:
            await stripe_sb.refund(outcome.charge_id)
        elif outcome.subscription_id:
            subscriptions.append(outcome.subscription_id)
        if subscriptions and rng.random() < 0.5:
            sub = rng.choice(subscriptions)
            status = stripe_sb.get(sub)["status"]
            clock.advance(timedelta(days=1))
            if status == "active":
                await rng.choice([stripe_sb.renew, stripe_sb.fail_payment])(sub)
            elif status == "past_due":
                await stripe_sb.recover(sub)
    return [serialize(event) for event in stripe_sb.webhooks.held]


def with_duplicates(bodies: list[str], total: int, share: float) -> list[str]:
    """`total` deliveries: the events in order, `share` of them repeats of earlier ones."""
    rng = random.Random(9)
    unique = bodies[: round(total * (1 - share))]
    sent: list[str] = []
    for body in unique:
        sent.append(body)
        if rng.random() < share / (1 - share) and len(sent) < total:
            sent.append(rng.choice(sent))
    while len(sent) < total:
        sent.append(rng.choice(unique))
    return sent[:total]


async def send_all(url: str, bodies: list[str], senders: int) -> dict[str, Any]:
    """K concurrent senders post every body (signed now), retrying non-2xx like Stripe."""
    queue: asyncio.Queue[str] = asyncio.Queue()
    for body in bodies:
        queue.put_nowait(body)
    latencies: list[float] = []
    retries = 0
    connector = aiohttp.TCPConnector(limit=senders)
    headers = {"Content-Type": "application/json; charset=utf-8"}
    async with aiohttp.ClientSession(connector=connector) as http:

        async def sender() -> None:
            nonlocal retries
            while not queue.empty():
                body = queue.get_nowait()
                while True:
                    signed = dict(headers, **{"Stripe-Signature": sign_payload(body, SECRET)})
                    started = time.perf_counter()
                    async with http.post(url, data=body.encode(), headers=signed) as response:
                        await response.read()
                    latencies.append(time.perf_counter() - started)
                    if response.status < 300:
                        break
                    retries += 1

        started = time.perf_counter()
        await asyncio.gather(*(sender() for _ in range(senders)))
        elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "per_s": len(bodies) / elapsed,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
        "p50_ms": latencies[len(latencies) // 2] * 1000,
        "retries": retries,
    }


async def child_sender(url: str, bodies_file: str, senders: int) -> None:
    """The `--send` mode: post the bodies in the file and print the stats."""
    bodies = json.loads(Path(bodies_file).read_text())  # noqa: ASYNC240  (before any I/O)
    print(json.dumps(await send_all(url, bodies, senders)))


async def send_from_child(url: str, bodies_file: Path, senders: int) -> dict[str, Any]:
    """Run the senders in a child process so they use the other core."""
    child = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--send", url, str(bodies_file), str(senders),
        stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    output, _ = await child.communicate()
    if child.returncode != 0:
        raise RuntimeError("the sender process failed")
    result: dict[str, Any] = json.loads(output.decode().strip().splitlines()[-1])
    return result


async def child_stripe(bodies_file: str, wanted: int) -> None:
    """The `--stripe` mode: play Stripe, write the events, serve the API until stdin closes."""
    clock = FakeClock(START)
    async with StripeSandbox(clock=clock, seed=3) as stripe_sb:
        stripe_sb.add_price("price_pro", unit_amount=1500, interval="month")
        stripe_sb.add_price("price_life", unit_amount=9900, interval=None)
        bodies = await play_stripe(stripe_sb, clock, wanted)
        Path(bodies_file).write_text(json.dumps(bodies))  # noqa: ASYNC240  (before serving)
        print(json.dumps({"api_base": stripe_sb.api_base, "api_key": stripe_sb.api_key}))
        sys.stdout.flush()
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


async def bare_run(bodies_file: Path, senders: int) -> dict[str, Any]:
    """The same deliveries to a handler that only answers 200."""

    async def ok(_request: web.Request) -> web.Response:
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/stripe/webhook", ok)
    async with web_server(app, "127.0.0.1", 0) as url:
        return await send_from_child(f"{url}/stripe/webhook", bodies_file, senders)


async def main(total: int, senders: int, duplicates: float) -> dict[str, Any]:
    """Generate the events, post them to the real endpoint and the bare one; the numbers."""
    with tempfile.TemporaryDirectory() as folder:
        events_file, bodies_file = Path(folder) / "events.json", Path(folder) / "bodies.json"
        # Stripe runs in its own process, as it would: its CPU is not the bot's.
        stripe_process = await asyncio.create_subprocess_exec(
            sys.executable, __file__, "--stripe", str(events_file),
            str(round(total * (1 - duplicates))),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        )  # fmt: skip
        assert stripe_process.stdout is not None and stripe_process.stdin is not None
        stripe_api = json.loads(await stripe_process.stdout.readline())
        try:
            bodies = with_duplicates(json.loads(events_file.read_text()), total, duplicates)
            bodies_file.write_text(json.dumps(bodies))
            real, drain_s, stored, unapplied, applied = await real_run(
                stripe_api, Path(folder), bodies_file, senders
            )
        finally:
            stripe_process.stdin.close()
            await stripe_process.wait()
        bare = await bare_run(bodies_file, senders)
    unique_ids = {json.loads(body)["id"] for body in bodies}
    return {
        "events": total,
        "events_per_s": round(real["per_s"]),
        "p99_ms": round(real["p99_ms"], 1),
        "bare_events_per_s": round(bare["per_s"]),
        "lost": len(unique_ids) - (stored - unapplied),
        "duplicates_applied": sum(count - 1 for count in applied.values()),
        "senders": senders,
        "unique_events": len(unique_ids),
        "p50_ms": round(real["p50_ms"], 1),
        "bare_p99_ms": round(bare["p99_ms"], 1),
        "apply_backlog_drain_s": round(drain_s, 2),
        "retries": real["retries"],
    }


async def real_run(
    stripe_api: dict[str, str], folder: Path, bodies_file: Path, senders: int
) -> tuple[dict[str, Any], float, int, int, Counter[str]]:
    """The bot's receiver and event worker on a fresh SQLite file, re-reading from Stripe."""
    db = Database.from_url(f"sqlite+aiosqlite:///{folder / 'bench.db'}")
    await upgrade(db)
    settings = Settings(
        stripe=StripeSettings(api_key=Secret(stripe_api["api_key"]),
                              webhook_secret=Secret(SECRET), api_base=stripe_api["api_base"]),
        guilds=(GuildConfig(id=GUILD, tiers=(
            TierConfig("pro", "Pro", "subscription", "price_pro", 11),
            TierConfig("lifetime", "Lifetime", "one_time", "price_life", 12),
        )),),
    )  # fmt: skip
    stripe_http = StripeHttpApi(settings.stripe)
    offline: Any = Offline()
    clock = FakeClock(START)
    role_service = RoleService(settings, db, clock, roles=offline, notifier=offline,
                               publisher=offline)  # fmt: skip
    service = BillingService(settings, db, clock, Scheduler(), stripe_http, roles=offline,
                             role_service=role_service)  # fmt: skip
    try:
        await service.admin.sync_config_tiers()
        await service.events.start()
        async with web_server(receiver_app(service.receiver, db), "127.0.0.1", 0) as url:
            real = await send_from_child(f"{url}/stripe/webhook", bodies_file, senders)
            started = time.perf_counter()
            await service.events.idle()
            drain_s = time.perf_counter() - started
        await service.events.stop()
        async with db.read() as session:
            stored = await billing.count_events(session)
            unapplied = await billing.count_events(session, unprocessed=True)
    finally:
        await stripe_http.close()
        await db.close()
    return real, drain_s, stored, unapplied, service.applier.applied


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--stripe":
        asyncio.run(child_stripe(sys.argv[2], int(sys.argv[3])))
        sys.exit(0)
    if len(sys.argv) > 1 and sys.argv[1] == "--send":
        asyncio.run(child_sender(sys.argv[2], sys.argv[3], int(sys.argv[4])))
        sys.exit(0)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=5000, help="deliveries to post (M)")
    parser.add_argument("--senders", type=int, default=20, help="concurrent senders (K)")
    parser.add_argument("--duplicates", type=float, default=0.1, help="share of repeats")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(main(args.events, args.senders, args.duplicates))))
