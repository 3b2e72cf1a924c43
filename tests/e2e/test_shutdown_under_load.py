"""SIGTERM `lyceum run` in the middle of a burst, many times: nothing it took on is lost.

Each run starts the real bot in a child process against fresh stand-ins, sends it a
burst (thousands of messages a second, slash commands, paid checkouts whose webhooks
the billing workers apply), sends SIGTERM at a chosen moment while the burst goes on,
and checks what the bot took on:
- every message the bot read is stored: the stored ones are exactly the first K sent
  (one gateway socket delivers them in order), with no gap;
- every webhook answered 2xx is stored;
- every command is answered properly or not at all: never the "error id" apology,
  never left "thinking"; and each one answered is in the interaction log;
- the process exits 0 and says it stopped cleanly.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import tempfile
from asyncio.subprocess import Process
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from sandbox.bot_process import lyceum_child
from sandbox.community import DEFAULT_TIERS
from sandbox.discord import Channel, DiscordSandbox, Person, Reply, payloads
from sandbox.discord.models import Message
from sandbox.discord.snowflake import iso, snowflake_time
from sandbox.discord.waiting import poll
from sandbox.stripe import RetryPolicy, StripeSandbox
from storage.billing.models import StripeEvent
from storage.database import Database
from storage.interactions import Interaction

MEMBERS = 8
PAYERS = 12  # each checkout paid sends 10 webhooks: enough to keep the billing workers busy
# Random kills per run beyond the fixed one (each is a whole `lyceum run`, ~10 s); a soak:
# LYCEUM_SHUTDOWN_KILLS=30 pytest tests/e2e/test_shutdown_under_load.py
KILLS = int(os.environ.get("LYCEUM_SHUTDOWN_KILLS", "1"))
EXIT_WITHIN_S = 30.0
# A burst never refused by the log's queue bound, flushed often as in production.
LOG = {"flush_interval_s": 0.2, "batch_size": 1000}
PRO_PRICE = DEFAULT_TIERS[0].price_id
LAG = 1000  # messages the bot may be behind
# Deliveries to a bot that has exited are retried briefly, so each run ends soon.
QUICK_GIVE_UP = RetryPolicy(max_attempts=3, base_delay=0.05, max_delay=0.2)


@dataclass
class Traffic:
    """What the burst sent, in order."""

    messages: list[int] = field(default_factory=list)
    commands: list[asyncio.Task[Reply]] = field(default_factory=list)
    paid: int = 0


@dataclass
class Outcome:
    """What one kill under load came to."""

    returncode: int | None
    output: str
    messages_sent: int
    messages_stored: int
    gap: list[int]
    webhooks_ok: int
    webhooks_lost: list[str]
    commands_sent: int
    commands_answered: int
    bad_answers: list[str]
    answered_not_logged: list[int]

    def problems(self) -> list[str]:
        """Everything that went wrong, in words (empty when the shutdown lost nothing)."""
        found = []
        if self.returncode != 0 or "stopped cleanly" not in self.output:
            found.append(f"exit {self.returncode}: {self.output.splitlines()[-3:]}")
        # "Exception during reset": SQLAlchemy saw a transaction cancelled halfway.
        markers = ("Traceback", "Exception during reset", "error id", "CommandNotFound",
                   "were not written")  # fmt: skip
        for marker in markers:
            if marker in self.output:
                found.append(f"the output says {marker!r}")
        if self.gap:
            found.append(f"{len(self.gap)} messages read but not stored, e.g. {self.gap[:3]}")
        if self.webhooks_lost:
            found.append(f"webhooks answered 2xx but not stored: {self.webhooks_lost[:3]}")
        if self.bad_answers:
            found.append(f"commands answered badly: {self.bad_answers[:3]}")
        if self.answered_not_logged:
            found.append(f"commands answered but not logged: {self.answered_not_logged[:3]}")
        return found

    def summary(self) -> str:
        """One line for the report."""
        return (
            f"messages {self.messages_stored}/{self.messages_sent} stored (no gap: "
            f"{not self.gap}), webhooks {self.webhooks_ok} answered 2xx (lost "
            f"{len(self.webhooks_lost)}), commands {self.commands_answered}/"
            f"{self.commands_sent} answered ({len(self.bad_answers)} badly), exit "
            f"{self.returncode}"
        )


async def _health(port: int) -> dict[str, Any] | None:
    """/healthz's body, or None when the bot does not answer."""
    try:
        async with (
            aiohttp.ClientSession() as http,
            http.get(f"http://127.0.0.1:{port}/healthz") as resp,
        ):
            body: dict[str, Any] = await resp.json()
            return body if resp.status == 200 else None
    except aiohttp.ClientError:
        return None


async def _keep_up(port: int, sent: int, until: asyncio.Event) -> None:
    """Wait while the bot is more than `LAG` rows behind what was sent (or until it has
    gone): a bot that falls seconds behind would miss Discord's 3 s answer deadline,
    and that is overload, not what this test is about."""
    while not until.is_set():
        body = await _health(port)
        if body is None:
            return
        log = body["interaction_log"]
        if sent - (log["written"] + log["pending"]) <= LAG:
            return
        await asyncio.sleep(0.05)


def _push(sandbox: DiscordSandbox, channel: Channel, who: Person, count: int) -> list[int]:
    """MESSAGE_CREATE `count` times, as `DiscordSandbox.push_messages` does, without waiting
    for the socket (whose writer stops for good when the bot goes)."""
    data = payloads.message_create(
        Message(0, channel.id, channel.guild_id, who.user, "hello"), sandbox.state
    )
    ids = []
    for _ in range(count):
        message_id = sandbox.state.ids.next()
        ids.append(message_id)
        stamp = iso(snowflake_time(message_id))
        sandbox.gateway.dispatch(
            "MESSAGE_CREATE", {**data, "id": str(message_id), "timestamp": stamp}, channel.guild_id
        )
    return ids


async def _chat(sandbox: DiscordSandbox, port: int, people: list[Person], traffic: Traffic,
                rng: random.Random, until: asyncio.Event) -> None:  # fmt: skip
    channel = people[0].guild.channel("general")
    while not until.is_set():
        traffic.messages += _push(sandbox, channel, rng.choice(people), rng.randint(20, 200))
        await _keep_up(port, len(traffic.messages), until)
        await asyncio.sleep(0.005)


async def _commands(people: list[Person], traffic: Traffic, rng: random.Random,
                    until: asyncio.Event) -> None:  # fmt: skip
    subscribes = dict.fromkeys(people, 0)
    while not until.is_set():
        who = rng.choice(people)
        if rng.random() < 0.3 and subscribes[who] < 2:  # /subscribe allows 3 a minute
            subscribes[who] += 1
            run = who.run("/subscribe", tier="pro", timeout=2)
        else:
            run = who.run("/help", timeout=2)
        traffic.commands.append(asyncio.create_task(run))
        await asyncio.sleep(rng.uniform(0.005, 0.03))


def _checkout(stripe_sb: StripeSandbox, guild_id: int, user_id: int) -> str:
    """A Checkout Session for the pro tier, made as `/subscribe` makes it; its id."""
    metadata = {"guild_id": str(guild_id), "user_id": str(user_id), "tier": "pro"}
    session = stripe_sb.create_checkout_session({
        "mode": "subscription",
        "line_items": [{"price": PRO_PRICE, "quantity": 1}],
        "client_reference_id": f"{guild_id}:{user_id}",
        "metadata": metadata,
        "subscription_data": {"metadata": metadata},
        "success_url": "https://example.com/thanks",
        "cancel_url": "https://example.com/cancel",
    })  # fmt: skip
    return str(session["id"])


async def _payments(stripe_sb: StripeSandbox, sessions: list[str], traffic: Traffic,
                    rng: random.Random, until: asyncio.Event) -> None:  # fmt: skip
    for session in sessions:
        if until.is_set():
            return
        await stripe_sb.pay(session)
        traffic.paid += 1
        await asyncio.sleep(rng.uniform(0.0, 0.05))


async def kill_under_load(data_dir: Path, delay: float, seed: int) -> Outcome:
    """Start `lyceum run`, burst, SIGTERM `delay` s after the first webhook was stored,
    and check what the bot kept."""
    rng = random.Random(seed)
    async with (
        DiscordSandbox() as discord_sb,
        StripeSandbox(retry=QUICK_GIVE_UP) as stripe_sb,
        lyceum_child(discord_sb, stripe_sb, data_dir, interaction_log=LOG) as started,
    ):
        prepared, process, port = started
        assert process.stdout is not None
        # Read the child's log as it comes: a full pipe would stall the bot.
        log_text = asyncio.create_task(process.stdout.read())
        stripe_sb.add_endpoint(f"http://127.0.0.1:{port}/stripe/webhook", prepared.webhook_secret)
        await poll(lambda: _health(port), timeout=20)
        people = [await prepared.guild.join(f"member{i}") for i in range(MEMBERS)]
        payers = [await prepared.guild.join(f"payer{i}") for i in range(PAYERS)]
        sessions = [_checkout(stripe_sb, prepared.guild.id, payer.id) for payer in payers]
        traffic, until = Traffic(), asyncio.Event()
        burst = [
            asyncio.create_task(_chat(discord_sb, port, people, traffic, rng, until)),
            asyncio.create_task(_commands(people, traffic, rng, until)),
            asyncio.create_task(_payments(stripe_sb, sessions, traffic, rng, until)),
        ]
        try:
            # The moment counts from the first webhook stored: the billing workers are busy.
            await poll(lambda: any(a.ok for a in stripe_sb.webhooks.attempts), timeout=20)
            await asyncio.sleep(delay)
            process.send_signal(signal.SIGTERM)
            output = await _exit(process, log_text)
        finally:
            until.set()
            await asyncio.gather(*burst, return_exceptions=True)
            await asyncio.gather(*traffic.commands, return_exceptions=True)
        stored_keys, stored_events = await _stored(data_dir / "lyceum.db")
        return _outcome(process.returncode, output, traffic, stripe_sb, discord_sb,
                        stored_keys, stored_events)  # fmt: skip


async def _exit(process: Process, log_text: asyncio.Task[bytes]) -> str:
    """The child's whole output once it exits (killed, and said so, if it takes too long)."""
    try:
        await asyncio.wait_for(process.wait(), timeout=EXIT_WITHIN_S)
    except TimeoutError:
        process.kill()
        await process.wait()
        late = f"\n(did not exit within {EXIT_WITHIN_S}s of SIGTERM; killed)"
        return (await log_text).decode() + late
    return (await log_text).decode()


async def _stored(path: Path) -> tuple[set[str], set[str]]:
    db = Database.from_url(f"sqlite+aiosqlite:///{path}")
    try:
        async with db.read() as session:
            keys = set((await session.exec(select(Interaction.source_key))).all())
            events = set((await session.exec(select(StripeEvent.id))).all())
    finally:
        await db.close()
    return {key for key in keys if key}, events


def _outcome(returncode: int | None, output: str, traffic: Traffic, stripe_sb: StripeSandbox,
             discord_sb: DiscordSandbox, keys: set[str], events: set[str]) -> Outcome:  # fmt: skip
    stored = [m for m in traffic.messages if f"message:{m}" in keys]
    read = len(stored)
    gap = [m for m in traffic.messages[:read] if f"message:{m}" not in keys]
    ok = {attempt.event_id for attempt in stripe_sb.webhooks.attempts if attempt.ok}
    answered = [i for i in discord_sb.state.interactions.values() if i.response_type is not None]
    bad = []
    for interaction in answered:
        reply = Reply(discord_sb.state, interaction)
        texts = [reply.content, *(m.content for m in reply.followups)]
        if not reply.settled() or any("error id" in text or "Sorry" in text for text in texts):
            bad.append(f"{interaction.data.get('name')}: {reply!r}")
    return Outcome(
        returncode=returncode,
        output=output,
        messages_sent=len(traffic.messages),
        messages_stored=read,
        gap=gap,
        webhooks_ok=len(ok),
        webhooks_lost=sorted(ok - events),
        commands_sent=len(discord_sb.state.interactions),
        commands_answered=len(answered),
        bad_answers=bad,
        answered_not_logged=[i.id for i in answered if f"interaction:{i.id}" not in keys],
    )


@pytest.mark.slow
async def test_sigterm_in_the_middle_of_a_burst_keeps_everything_the_bot_took_on() -> None:
    with tempfile.TemporaryDirectory() as data_dir:
        outcome = await kill_under_load(Path(data_dir), delay=0.6, seed=1)
    assert outcome.messages_stored > 0 and outcome.webhooks_ok > 0, outcome.summary()
    assert not outcome.problems(), outcome.problems()


# Each example is a whole `lyceum run` (seconds): no shrinking, few examples by default.
@pytest.mark.slow
@settings(
    max_examples=KILLS,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow],
)
@given(delay=st.floats(min_value=0.0, max_value=1.0), seed=st.integers(0, 2**16))
async def test_sigterm_at_any_moment_of_a_burst_loses_nothing(delay: float, seed: int) -> None:
    with tempfile.TemporaryDirectory() as data_dir:
        outcome = await kill_under_load(Path(data_dir), delay=delay, seed=seed)
    assert not outcome.problems(), (outcome.problems(), outcome.summary())
