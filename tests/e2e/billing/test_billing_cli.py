"""`lyceum entitlements` and `lyceum webhooks` as an operator runs them."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
from pathlib import Path

import aiohttp

from sandbox.community import Community, prepare_community
from sandbox.discord import DiscordSandbox
from sandbox.stripe import StripeSandbox, sign_payload
from storage.billing import queries as billing
from storage.database import Database
from tests.e2e.billing.billing_support import settled, subscribe_and_pay


async def _lyceum(*args: str, env: dict[str, str]) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        env={**os.environ, **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    output, _ = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode is not None
    return process.returncode, output.decode()


async def test_entitlements_prints_who_holds_what_as_json(community: Community) -> None:
    alice = await community.guild.join("alice")
    await subscribe_and_pay(community, alice)
    await settled(community)
    env = {"STRIPE_API_KEY": "sk_test", "STRIPE_WEBHOOK_SECRET": "whsec_x"}
    code, output = await _lyceum(
        "entitlements",
        "--config",
        str(community.config_path),
        "--guild",
        str(community.guild.id),
        "--json",
        env=env,
    )
    assert code == 0, output
    [row] = json.loads(output)
    assert set(row) == {"user_id", "tier", "status", "active", "source", "current_period_end"}
    assert (row["user_id"], row["tier"], row["status"], row["active"], row["source"]) == (
        alice.id,
        "pro",
        "active",
        True,
        "stripe",
    )
    assert row["current_period_end"] is not None


async def test_webhooks_alone_stores_signed_events(tmp_path: Path, database_url: str) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with DiscordSandbox() as discord_sb, StripeSandbox() as stripe_sb:
        prepared = await prepare_community(
            discord_sb,
            stripe_sb,
            tmp_path,
            overrides={"web": {"port": port}},
            database_url=database_url,
        )
        env = {k: v for k, v in prepared.environment.items() if k != "DISCORD_TOKEN"}
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "webhooks",
            "--config",
            str(prepared.config_path),
            env={**os.environ, **env},
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        body = json.dumps(
            {
                "id": "evt_alone",
                "object": "event",
                "type": "invoice.paid",
                "created": 1_700_000_000,
                "data": {"object": {"id": "in_1"}},
            }
        )
        try:
            async with aiohttp.ClientSession() as http:
                status = await _post_when_up(
                    http,
                    f"http://127.0.0.1:{port}/stripe/webhook",
                    body,
                    sign_payload(body, prepared.webhook_secret),
                )
        finally:
            process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(process.wait(), 20)
    assert status == 200 and process.returncode == 0
    db = Database.from_url(database_url)
    try:
        async with db.read() as session:
            stored = await billing.get_event(session, "evt_alone")
    finally:
        await db.close()
    assert stored is not None and stored.processed_at is None  # the bots apply it


async def _post_when_up(http: aiohttp.ClientSession, url: str, body: str, signature: str) -> int:
    for _ in range(600):  # 30 s: a loaded CI machine starts Python slowly
        try:
            async with http.post(url, data=body, headers={"Stripe-Signature": signature}) as r:
                return r.status
        except aiohttp.ClientConnectionError:
            await asyncio.sleep(0.05)
    raise AssertionError("the receiver never came up")
