"""A community with one member's whole footprint in every feature's tables, and the
privacy service built as the runtime builds it (every feature's hooks)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select
from sqlmodel import SQLModel

from bot.core.clock import FakeClock
from bot.features import FEATURES
from bot.services.privacy import FeatureHooks, PrivacyRetention, PrivacyService, PrivacySettings
from bot.services.stats import StatsService
from bot.settings import GuildConfig, Secret, Settings
from storage.activity.models import Member
from storage.audit.models import AuditEntry
from storage.billing.models import Entitlement, StripeEvent
from storage.database import Database
from storage.interaction_log import InteractionLog
from storage.notices.models import BillingNotice, NoticeTarget
from storage.onboarding.models import OnboardingMember
from storage.roles.models import ManagedRole, RoleAction, RoleChange
from storage.schema import load_models
from storage.stats.sql import execute

GUILD = 1
ALICE = 310_000_000_000_000_001  # the member who deletes
BOB = 310_000_000_000_000_002  # a second member, untouched
MOD = 310_000_000_000_000_003
SECRET = "test-privacy-secret-0123456789abcdef"
W45 = datetime(2026, 11, 2, tzinfo=UTC)  # Monday of ISO week 2026-W45
NOW = W45 + timedelta(weeks=3, days=2, hours=10)  # Wednesday of W48
WEEKS = ("2026-W44", "2026-W45", "2026-W46", "2026-W47")


def at(week: int, day: int = 0, hour: int = 12) -> datetime:
    """A moment relative to the start of 2026-W45."""
    return W45 + timedelta(weeks=week, days=day, hours=hour)


def settings(secret: str = SECRET, **privacy: Any) -> Settings:
    """One guild, with the privacy secret and `[guilds.privacy]` values."""
    guild = GuildConfig(id=GUILD, sections={"privacy": PrivacySettings(**privacy)})
    return Settings(guilds=(guild,), privacy_secret=Secret(secret))


def hooks() -> list[FeatureHooks]:
    """Every feature's privacy hooks, as the privacy feature gathers them."""
    return [
        FeatureHooks(f.name, f.privacy.tables, f.privacy.export_member, f.privacy.forget_member,
                     f.privacy.kept)
        for f in FEATURES
        if f.privacy is not None
    ]  # fmt: skip


def services(
    db: Database, clock: FakeClock, config: Settings | None = None
) -> tuple[PrivacyService, StatsService, InteractionLog]:
    """The privacy service (with retention) and the stats service it keeps numbers with."""
    config = config or settings()
    log = InteractionLog(db, batch_size=1, flush_interval=0.01)
    stats = StatsService(db, clock, config)
    privacy = PrivacyService(db, clock, config, log, hooks())
    privacy.retention = PrivacyRetention(db, clock, config, privacy, stats)
    return privacy, stats, log


def _interaction(user: int, kind: str, when: datetime, **extra: Any) -> dict[str, Any]:
    row = {"guild_id": GUILD, "user_id": user, "kind": kind, "channel_id": 10, "ref": None,
           "at": when, "meta": None, "source_key": None}  # fmt: skip
    row.update(extra)
    return row


def member_activity(user: int, weeks: range, per_day: int = 2) -> list[dict[str, Any]]:
    """Messages, reactions and a drop open every weekday of these weeks."""
    rows = []
    for week in weeks:
        for day in range(5):
            for n in range(per_day):
                rows.append(
                    _interaction(
                        user,
                        "message",
                        at(week, day, 9 + n),
                        source_key=f"message:{user % 10_000}{week}{day}{n}",
                    )
                )
            rows.append(_interaction(user, "reaction", at(week, day, 15), ref="555"))
        rows.append(_interaction(user, "drop_open", at(week, 2, 16), ref="7"))
    return rows


async def seed(db: Database) -> None:
    """Alice and Bob with a footprint in every built feature's tables; Alice pays."""
    rows = []
    for user, joined in ((ALICE, at(-2)), (BOB, at(-1))):
        rows.append(
            _interaction(
                user, "join", joined, source_key=f"roster:{GUILD}:{user}:join:{joined.isoformat()}"
            )
        )
        rows.append(_interaction(user, "onboarded", joined + timedelta(hours=1)))
        rows += member_activity(user, range(-2, 3))
    # Bob's reply names Alice in its details (as a reply or an invite would).
    rows.append(_interaction(BOB, "reply", at(1, 3), meta={"to_user_id": ALICE}))
    rows.append(_interaction(ALICE, "paid_start", at(0, 1), ref="pro",
                             meta={"source": "stripe", "amount": 1000, "currency": "eur",
                                   "interval": "month", "interval_count": 1}))  # fmt: skip
    customer = "cus_alice123"
    session_object = {
        "id": "cs_1",
        "customer": customer,
        "customer_details": {"email": "alice@example.com"},
        "metadata": {"guild_id": str(GUILD), "user_id": str(ALICE)},
    }
    payload = {"id": "evt_1", "type": "checkout.session.completed", "created": 1,
               "data": {"object": session_object}}  # fmt: skip
    async with db.transaction() as session:
        await execute(session, insert(SQLModel.metadata.tables["interactions"]), rows)
        for user, joined in ((ALICE, at(-2)), (BOB, at(-1))):
            session.add(Member(guild_id=GUILD, user_id=user, first_joined_at=joined,
                               joined_at=joined, onboarded_at=joined + timedelta(hours=1),
                               interests=["python"]))  # fmt: skip
            session.add(OnboardingMember(guild_id=GUILD, user_id=user, first_seen_at=joined,
                                         agreed_at=joined, interests=["python"]))  # fmt: skip
            session.add(ManagedRole(guild_id=GUILD, user_id=user, role_id=77, since=joined))
            session.add(RoleChange(guild_id=GUILD, user_id=user, role_id=77, action=RoleAction.ADD,
                                   reason="tier pro", next_attempt_at=joined,
                                   created_at=joined))  # fmt: skip
        session.add(Entitlement(guild_id=GUILD, user_id=ALICE, tier_key="pro", status="active",
                                active=True, stripe_customer_id=customer,
                                stripe_subscription_id="sub_alice",
                                updated_at=at(0, 1)))  # fmt: skip
        session.add(StripeEvent(id="evt_1", type="checkout.session.completed", created=at(0, 1),
                                payload=payload, received_at=at(0, 1),
                                processed_at=at(0, 1)))  # fmt: skip
        session.add(BillingNotice(guild_id=GUILD, user_id=ALICE, target=NoticeTarget.DM,
                                  text="Your payment failed", created_at=at(0, 2)))  # fmt: skip
        session.add(BillingNotice(guild_id=GUILD, user_id=None, target=NoticeTarget.MOD_LOG,
                                  text=f"Dispute opened by <@{ALICE}>",
                                  created_at=at(0, 2)))  # fmt: skip
        session.add(AuditEntry(guild_id=GUILD, actor_id=MOD, action="membership.grant",
                               target_user_id=ALICE, details={"user_id": ALICE, "tier": "pro"},
                               created_at=at(0, 1)))  # fmt: skip
        session.add(AuditEntry(guild_id=GUILD, actor_id=ALICE, action="setup.topic",
                               details=None, created_at=at(0, 1)))  # fmt: skip


def identity_free(report: dict[str, Any]) -> dict[str, Any]:
    """A report's numbers without who the top answerers are (their counts stay)."""
    data: dict[str, Any] = json.loads(json.dumps(report))
    for answerer in data.get("qa", {}).get("top_answerers", []):
        answerer.pop("user_id", None)
    return data


async def reports(stats: StatsService) -> dict[str, Any]:
    """The weekly report JSON of every seeded week, identities left out."""
    return {week: identity_free((await stats.weekly_report(GUILD, week)).to_json())
            for week in WEEKS}  # fmt: skip


async def places_holding(db: Database, user_id: int) -> list[str]:
    """Every table.column where the id shows up: as a number, or inside text or JSON."""
    load_models()
    needle = str(user_id)
    found = []
    async with db.read() as session:
        for name, table in SQLModel.metadata.tables.items():
            for row in (await execute(session, select(table))).mappings().all():
                for column, value in row.items():
                    text = value if isinstance(value, str) else json.dumps(value, default=str)
                    if value == user_id or needle in text:
                        found.append(f"{name}.{column}")
    return sorted(set(found))
