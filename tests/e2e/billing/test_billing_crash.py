"""`lyceum run` killed with SIGKILL mid-stream of webhooks: after a restart nothing is lost."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

import pytest
from sqlmodel import select

from sandbox.community import PreparedCommunity, prepare_community
from sandbox.discord import DiscordSandbox
from sandbox.stripe import RetryPolicy, StripeSandbox
from storage.billing import queries as billing
from storage.billing.models import StripeEvent
from storage.database import Database
from tests.e2e.billing.billing_support import session_id_of

MEMBERS = 8
# Stripe keeps retrying for longer than the bot is down (here ~15 s instead of 3 days).
PATIENT = RetryPolicy(max_attempts=40, base_delay=0.05, factor=2.0, max_delay=0.5,
                      request_timeout=2.0)  # fmt: skip


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _start(prepared: PreparedCommunity) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", "--config", str(prepared.config_path),
        env={**os.environ, **prepared.environment},
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip


async def _all_applied(database_url: str, sent: int) -> bool:
    db = Database.from_url(database_url)
    try:
        async with db.read() as session:
            stored = await billing.count_events(session)
            waiting = await billing.count_events(session, unprocessed=True)
    finally:
        await db.close()
    return stored == sent and waiting == 0


@pytest.mark.slow
async def test_sigkill_mid_stream_loses_no_payment(tmp_path: Path, database_url: str) -> None:
    port = _free_port()
    async with DiscordSandbox() as discord_sb, StripeSandbox(retry=PATIENT) as stripe_sb:
        prepared = await prepare_community(
            discord_sb,
            stripe_sb,
            tmp_path,
            overrides={"web": {"port": port}},
            database_url=database_url,
        )
        stripe_sb.add_endpoint(f"http://127.0.0.1:{port}/stripe/webhook", prepared.webhook_secret)
        people = [await prepared.guild.join(f"member{i}") for i in range(MEMBERS)]
        bot = await _start(prepared)
        try:
            await discord_sb.wait_for(lambda: discord_sb.gateway.identify_count >= 1, timeout=20)
            sessions = [session_id_of(await p.run("/subscribe", tier="pro", timeout=10))
                        for p in people]  # fmt: skip
            outcomes = []
            for i, session_id in enumerate(sessions):
                outcomes.append(await stripe_sb.pay(session_id))
                if i == MEMBERS // 2:
                    bot.send_signal(signal.SIGKILL)
                    await bot.wait()
            first = outcomes[0].subscription_id
            assert first is not None
            await stripe_sb.cancel_now(first)  # while the bot is down
            bot = await _start(prepared)
            await stripe_sb.webhooks.drain(timeout=60)
            assert stripe_sb.webhooks.gave_up == []
            assert any(not attempt.ok for attempt in stripe_sb.webhooks.attempts)  # it was down
            await discord_sb.wait_for(
                lambda: (
                    not people[0].has_role("Pro") and all(p.has_role("Pro") for p in people[1:])
                ),
                timeout=20,
            )
            await discord_sb.wait_for(lambda: _all_applied(database_url, len(stripe_sb.events)),
                                      timeout=20)  # fmt: skip
        finally:
            if bot.returncode is None:
                bot.send_signal(signal.SIGTERM)
                await asyncio.wait_for(bot.wait(), 20)

        db = Database.from_url(database_url)
        try:
            async with db.read() as session:
                stored = (await session.exec(select(StripeEvent))).all()
                rows = await billing.entitlements_of_guild(session, prepared.guild.id)
        finally:
            await db.close()
    assert {e.id for e in stored} == {e["id"] for e in stripe_sb.events}
    assert all(e.processed_at is not None for e in stored)
    by_user = {row.user_id: row for row in rows}
    for person, outcome in zip(people, outcomes, strict=True):
        assert outcome.subscription_id is not None
        truth = stripe_sb.get(outcome.subscription_id)["status"]
        row = by_user[person.id]
        assert (row.status, row.active) == (truth, truth == "active")
