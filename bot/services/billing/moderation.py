"""Moderators' side: tiers, manual grants and revocations, lookups. Every change audited."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.core.access import MODERATORS, SERVER_MANAGERS, AccessPolicy, Caller
from bot.core.clock import Clock
from bot.core.echo import echo
from bot.core.errors import InvalidInput, NotFound
from bot.core.ports import PortError, Roles
from bot.core.text import t
from bot.services.billing.ledger import Ledger, Queued
from bot.services.billing.policy import checked_tier_change
from bot.services.roles import RoleFacts, check_new_role, hand_out_problem
from bot.settings import Settings
from storage.audit import queries as audit
from storage.billing import queries as billing
from storage.billing.models import Entitlement, Tier
from storage.database import Database, Session

log = logging.getLogger(__name__)

UNTIL_MAX = 32
_DAYS = re.compile(r"^(\d{1,4})\s*d(ays?)?$")


@dataclass(frozen=True)
class EntitlementView:
    """One entitlement, for replies and the CLI."""

    user_id: int
    tier: str
    source: str
    status: str
    active: bool
    current_period_end: datetime | None
    ends_at: datetime | None
    grace_until: datetime | None

    @classmethod
    def of(cls, row: Entitlement) -> EntitlementView:
        """The view of a stored row."""
        return cls(
            row.user_id,
            row.tier_key,
            row.source,
            row.status,
            row.active,
            row.current_period_end,
            row.ends_at,
            row.grace_until,
        )


@dataclass(frozen=True)
class TierView:
    """A tier, for replies."""

    key: str
    name: str
    kind: str
    stripe_price_id: str
    role_id: int
    enabled: bool


def parse_until(text: str | None, now: datetime) -> datetime | None:
    """`YYYY-MM-DD` (end of that day, UTC) or `<n>d`; None for no end date."""
    if text is None or not text.strip():
        return None
    if len(text) > UNTIL_MAX:
        raise InvalidInput(
            t("An end date is short: `YYYY-MM-DD` (e.g. 2027-01-31) or days (`30d`).")
        )
    text = text.strip().lower()
    if match := _DAYS.match(text):
        days = int(match.group(1))
        if days < 1:
            raise InvalidInput(t("The grant must last at least one day (`1d`)."))
        return now + timedelta(days=days)
    try:
        day = datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        raise InvalidInput(
            t(
                "{text} is not an end date: use `YYYY-MM-DD` (e.g. 2027-01-31) or days (`30d`).",
                text=echo(text),
            )
        ) from None
    try:
        until = day + timedelta(days=1)
    except OverflowError:
        raise InvalidInput(
            t(
                "{text} is past the last date I can store; pick an earlier end date, "
                "or leave it out for a grant without end.",
                text=echo(text),
            )
        ) from None
    if until <= now:
        raise InvalidInput(t("{text} is in the past; pick a later end date.", text=echo(text)))
    return until


class MembershipAdmin:
    """Manual grants, revocations, lookups and tier setup for moderators."""

    def __init__(
        self, db: Database, clock: Clock, ledger: Ledger, settings: Settings, roles: Roles
    ) -> None:
        self._db = db
        self._clock = clock
        self._ledger = ledger
        self._settings = settings
        self._roles = roles
        self.access = AccessPolicy(settings.guild)

    def check_moderator(self, guild_id: int, actor: Caller) -> None:
        """Raise `NotAllowed` unless the actor may manage memberships here."""
        self.access.require(MODERATORS, guild_id, actor)

    async def check_role_still_safe(self, tier: Tier) -> None:
        """Refuse to hand out a tier whose role gained moderator powers since it was set up."""
        try:
            facts = await self._roles.describe(tier.guild_id, tier.role_id)
        except PortError as error:  # the outbox checks again before it gives the role
            log.warning("could not look at role %s before a grant: %s", tier.role_id, error)
            return
        problem = hand_out_problem(facts) if facts is not None else None
        if problem is not None:
            raise InvalidInput(
                t(
                    "I did not grant **{tier}**. {problem}",
                    tier=echo(tier.name, 100),
                    problem=problem,
                )
            )

    async def grant(
        self, guild_id: int, actor: Caller, user_id: int, tier_key: str, until: str | None
    ) -> tuple[EntitlementView, Queued]:
        """Give the member a tier by hand, optionally until an end date."""
        self.check_moderator(guild_id, actor)
        now = self._clock.now()
        ends_at = parse_until(until, now)
        async with self._db.read() as session:
            await self.check_role_still_safe(await self._tier(session, guild_id, tier_key))
        effects = Queued()
        async with self._db.transaction() as session:
            tier = await self._tier(session, guild_id, tier_key)
            row = await billing.entitlement(session, guild_id, user_id, tier.key, "manual")
            if row is None:
                row = self._ledger.new_row(guild_id, user_id, tier.key, "manual", "active")
            row.ends_at = ends_at
            row.state_created = now
            await self._ledger.set_access(
                session,
                row,
                active=True,
                status="active",
                at=now,
                reason=f"granted by {actor.user_id}",
                effects=effects,
            )
            await audit.add_audit(
                session,
                guild_id,
                actor.user_id,
                "membership.grant",
                now,
                target_user_id=user_id,
                details={"tier": tier.key, "ends_at": ends_at.isoformat() if ends_at else None},
            )
            return EntitlementView.of(row), effects

    async def revoke(
        self, guild_id: int, actor: Caller, user_id: int, tier_key: str
    ) -> tuple[list[EntitlementView], Queued]:
        """Take the tier away, whatever gave it; Stripe billing itself is not touched."""
        self.check_moderator(guild_id, actor)
        now = self._clock.now()
        effects = Queued()
        async with self._db.transaction() as session:
            tier = await self._tier(session, guild_id, tier_key)
            rows = [
                row
                for row in await billing.entitlements_of_member(session, guild_id, user_id)
                if row.tier_key == tier.key and row.active
            ]
            if not rows:
                raise NotFound(
                    t(
                        "<@{user_id}> does not have **{tier}**.",
                        user_id=user_id,
                        tier=echo(tier.name, 100),
                    )
                )
            for row in rows:
                await self._ledger.set_access(
                    session,
                    row,
                    active=False,
                    status="revoked",
                    at=now,
                    reason=f"revoked by {actor.user_id}",
                    effects=effects,
                )
            await audit.add_audit(
                session,
                guild_id,
                actor.user_id,
                "membership.revoke",
                now,
                target_user_id=user_id,
                details={"tier": tier.key, "sources": [row.source for row in rows]},
            )
            return [EntitlementView.of(row) for row in rows], effects

    async def lookup(self, guild_id: int, actor: Caller, user_id: int) -> list[EntitlementView]:
        """Everything the member holds or held (audited: it shows payment state)."""
        self.check_moderator(guild_id, actor)
        async with self._db.transaction() as session:
            rows = await billing.entitlements_of_member(session, guild_id, user_id)
            await audit.add_audit(
                session,
                guild_id,
                actor.user_id,
                "membership.lookup",
                self._clock.now(),
                target_user_id=user_id,
            )
        return [EntitlementView.of(row) for row in rows]

    async def entitlements(self, guild_id: int) -> list[EntitlementView]:
        """Every entitlement in the guild (for the CLI)."""
        async with self._db.read() as session:
            rows = await billing.entitlements_of_guild(session, guild_id)
        return [EntitlementView.of(row) for row in rows]

    async def tiers(self, guild_id: int, actor: Caller) -> list[TierView]:
        """Every tier of the guild, enabled or not."""
        self.access.require(SERVER_MANAGERS, guild_id, actor)
        async with self._db.read() as session:
            rows = await billing.tiers(session, guild_id, enabled_only=False)
        return [
            TierView(r.key, r.name, r.kind, r.stripe_price_id, r.role_id, r.enabled) for r in rows
        ]

    async def set_tier(
        self,
        guild_id: int,
        actor: Caller,
        key: str,
        *,
        name: str | None,
        price_id: str | None,
        role: RoleFacts | None,
        bot_top_position: int,
        kind: str | None,
        enabled: bool | None,
    ) -> TierView:
        """Create or change a tier (`/setup tiers`); new tiers need price, role and kind.

        Everything is checked before anything is written: a refusal stores nothing.
        """
        self.access.require(SERVER_MANAGERS, guild_id, actor)
        change = checked_tier_change(key, name=name, price_id=price_id, kind=kind)
        if role is not None:
            check_new_role(role, caller=actor, bot_top_position=bot_top_position)
        now = self._clock.now()
        async with self._db.transaction() as session:
            row = await billing.tier(session, guild_id, change.key)
            if row is None and (change.price_id is None or role is None):
                raise InvalidInput(
                    t(
                        "A new tier needs a price id and a role; `{key}` lacks one.",
                        key=change.key,
                    )
                )
            row = await billing.upsert_tier(
                session,
                guild_id,
                change.key,
                name=change.name or (row.name if row else change.key.title()),
                stripe_price_id=change.price_id or (row.stripe_price_id if row else ""),
                role_id=role.id if role else (row.role_id if row else 0),
                kind=change.kind or (row.kind if row else "subscription"),
                enabled=enabled if enabled is not None else (row.enabled if row else True),
            )
            await audit.add_audit(
                session,
                guild_id,
                actor.user_id,
                "tiers.set",
                now,
                details={
                    "key": row.key,
                    "name": row.name,
                    "price": row.stripe_price_id,
                    "role_id": row.role_id,
                    "kind": row.kind,
                    "enabled": row.enabled,
                },
            )
        return TierView(row.key, row.name, row.kind, row.stripe_price_id, row.role_id, row.enabled)

    async def sync_config_tiers(self, guild_ids: Iterable[int] | None = None) -> int:
        """Store the tiers from the config file (the file wins for the keys it names)."""
        count = 0
        async with self._db.transaction() as session:
            for guild in self._settings.guilds:
                if guild_ids is not None and guild.id not in guild_ids:
                    continue
                for tier in guild.tiers:
                    await billing.upsert_tier(
                        session,
                        guild.id,
                        tier.key,
                        name=tier.name,
                        stripe_price_id=tier.stripe_price_id,
                        role_id=tier.role_id,
                        kind=tier.kind,
                    )
                    count += 1
        return count

    async def _tier(self, session: Session, guild_id: int, key: str) -> Tier:
        tier = await billing.tier(session, guild_id, key.strip().lower())
        if tier is None:
            raise NotFound(t("There is no tier called {tier}.", tier=echo(key)))
        return tier
