"""Helpers for billing tests: a small Discord fake for the ports, settings, polling."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypedDict, Unpack

from sqlmodel import col, select

from bot.core.access import Caller, Permission
from bot.core.clock import FakeClock
from bot.core.ports import (
    DirectMessagesClosed,
    MissingPermissions,
    Notifier,
    OutgoingMessage,
    PortError,
    Publisher,
    Roles,
    TargetGone,
    TemporarilyUnavailable,
)
from bot.services.billing import BillingService
from bot.services.roles import RoleFacts
from bot.settings import GuildConfig, Secret, Settings, StripeSettings, TierConfig
from sandbox.stripe import Outcome, RetryPolicy, StripeSandbox, sign_payload
from storage.billing import queries as billing_queries
from storage.billing.models import Entitlement
from storage.database import Database
from storage.interactions import Interaction

GUILD = 1001
MOD_LOG = 5005
MODERATOR_ROLE = 7007
PRO_ROLE = 111
LIFETIME_ROLE = 222
SECRET = "whsec_billing_tests"
_EVENT_IDS = itertools.count(1)
FAST_RETRY = RetryPolicy(max_attempts=6, base_delay=0.01, factor=2.0, max_delay=0.1)
BOT_TOP = 50  # position of the bot's highest role in the fake guild
MOD = Caller(9, frozenset({MODERATOR_ROLE}), top_role_position=10)
MANAGER = Caller(8, permissions=Permission.MANAGE_GUILD, top_role_position=20)
MEMBER = Caller(10)


def harmless_role(role_id: int, position: int = 1) -> RoleFacts:
    """A role with no powers, low in the list."""
    return RoleFacts(role_id, position)


@dataclass
class FakeDiscord(Roles, Notifier, Publisher):
    """Roles, DMs and channel posts in memory, with failures to inject."""

    members: dict[tuple[int, int], set[int]] = field(default_factory=dict)
    dms: list[tuple[int, str]] = field(default_factory=list)
    posts: list[tuple[int, str]] = field(default_factory=list)
    calls: list[tuple[str, int, int]] = field(default_factory=list)
    failures: list[PortError] = field(default_factory=list)
    closed_dms: set[int] = field(default_factory=set)
    # Guilds where the bot's role is too low: every role change there fails with 50013.
    denied_guilds: set[int] = field(default_factory=set)
    # Role adds Discord applies but whose answer is lost (a 504 after the fact).
    lost_replies: int = 0
    # Members whose DMs fail with a 5xx every time.
    failing_dms: set[int] = field(default_factory=set)
    # Roles as Discord describes them (any other role: harmless, low in the list).
    role_facts: dict[int, RoleFacts] = field(default_factory=dict)

    def join(self, user_id: int, guild_id: int = GUILD) -> None:
        self.members[(guild_id, user_id)] = set()

    def leave(self, user_id: int, guild_id: int = GUILD) -> None:
        self.members.pop((guild_id, user_id), None)

    def roles_of(self, user_id: int, guild_id: int = GUILD) -> set[int]:
        return set(self.members.get((guild_id, user_id), set()))

    def fail_next(self, *errors: PortError) -> None:
        self.failures.extend(errors)

    def _maybe_fail(self, guild_id: int = GUILD) -> None:
        if guild_id in self.denied_guilds:
            raise MissingPermissions("Missing Permissions")
        if self.failures:
            raise self.failures.pop(0)

    async def add(self, guild_id: int, user_id: int, role_id: int, reason: str) -> None:
        self.calls.append(("add", user_id, role_id))
        self._maybe_fail(guild_id)
        if (guild_id, user_id) not in self.members:
            raise TargetGone("unknown member")
        self.members[(guild_id, user_id)].add(role_id)
        if self.lost_replies:
            self.lost_replies -= 1
            raise TemporarilyUnavailable("Discord answered 504")

    async def remove(self, guild_id: int, user_id: int, role_id: int, reason: str) -> None:
        self.calls.append(("remove", user_id, role_id))
        self._maybe_fail(guild_id)
        if (guild_id, user_id) not in self.members:
            raise TargetGone("unknown member")
        self.members[(guild_id, user_id)].discard(role_id)

    async def member_role_ids(self, guild_id: int, user_id: int) -> frozenset[int] | None:
        roles = self.members.get((guild_id, user_id))
        return None if roles is None else frozenset(roles)

    async def describe(self, guild_id: int, role_id: int) -> RoleFacts | None:
        return self.role_facts.get(role_id, harmless_role(role_id))

    async def dm(self, user_id: int, message: OutgoingMessage) -> None:
        if user_id in self.closed_dms:
            raise DirectMessagesClosed("closed")
        if user_id in self.failing_dms:
            raise TemporarilyUnavailable("Discord answered 503")
        self.dms.append((user_id, message.content))

    async def post(self, channel_id: int, message: OutgoingMessage) -> int:
        self.posts.append((channel_id, message.content))
        return len(self.posts)


def settings_for(stripe_sb: StripeSandbox, *, grace_days: int = 3) -> Settings:
    """One guild with a monthly tier and a one-time tier."""
    return Settings(
        stripe=StripeSettings(
            api_key=Secret(stripe_sb.api_key), webhook_secret=Secret(SECRET),
            api_base=stripe_sb.api_base, past_due_grace_days=grace_days,
        ),
        guilds=(
            GuildConfig(
                id=GUILD, mod_log_channel_id=MOD_LOG, moderator_role_id=MODERATOR_ROLE,
                tiers=(
                    TierConfig("pro", "Pro", "subscription", "price_pro", PRO_ROLE),
                    TierConfig("lifetime", "Lifetime", "one_time", "price_lifetime", LIFETIME_ROLE),
                ),
            ),
        ),
    )  # fmt: skip


async def eventually(check: Callable[[], object], within: float = 5.0) -> None:
    """Poll `check` until it is truthy (or fail after `within` seconds)."""
    deadline = time.monotonic() + within
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {within}s: {check}")
        await asyncio.sleep(0.01)


@dataclass
class Billing:
    """A running billing service with its webhook endpoint."""

    service: BillingService
    stripe: StripeSandbox
    discord: FakeDiscord
    db: Database
    clock: FakeClock
    url: str

    async def settle(self) -> None:
        """Every webhook delivered and applied, and the outbox emptied."""
        await self.stripe.webhooks.drain()
        await asyncio.wait_for(self.service.events.idle(), 5)
        await self.service.outbox.run_once()


class PayOptions(TypedDict, total=False):
    """How the member pays at Checkout (StripeSandbox.pay's options)."""

    email: str | None
    name: str | None
    trial_days: int | None
    async_payment: bool


async def buy(
    billing: Billing, user_id: int, tier: str = "pro", **pay: Unpack[PayOptions]
) -> Outcome:
    """The member runs /subscribe and pays the Checkout Session it links to."""
    link = await billing.service.checkout_link(GUILD, user_id, tier)
    session_id = link.url.rstrip("/").rsplit("/", 1)[-1]
    return await billing.stripe.pay(session_id, **pay)


async def entitlement_of(db: Database, user_id: int, tier: str = "pro") -> Entitlement | None:
    """The member's Stripe entitlement to the tier."""
    async with db.read() as session:
        return await billing_queries.entitlement(session, GUILD, user_id, tier, "stripe")


async def interactions_of(db: Database, user_id: int) -> list[Interaction]:
    """The member's paid_start/paid_end rows, oldest first."""
    async with db.read() as session:
        result = await session.exec(
            select(Interaction)
            .where(Interaction.user_id == user_id, col(Interaction.kind).startswith("paid_"))
            .order_by(col(Interaction.id))
        )
        return list(result.all())


async def send_event(
    billing: Billing, event_type: str, obj: dict[str, object], created: datetime | None = None
) -> None:
    """Stripe sends an event the sandbox has no scenario for, signed (created: clock time)."""
    created = created or billing.clock.now()
    body = json.dumps({
        "id": f"evt_crafted_{next(_EVENT_IDS)}", "object": "event",
        "api_version": "2026-06-24.dahlia", "created": int(created.timestamp()),
        "data": {"object": obj}, "livemode": False, "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None}, "type": event_type,
    })  # fmt: skip
    status, text = await billing.stripe.webhooks.post_raw(
        f"{billing.url}/stripe/webhook", body, signature=sign_payload(body, SECRET)
    )
    assert status == 200, text
