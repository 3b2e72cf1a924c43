"""Writing entitlements and what follows from them, inside the caller's transaction.

Whenever an entitlement's `active` flips, the same transaction logs a `paid_start` /
`paid_end` interaction and queues the tier role's change in the outbox. A new price while
access goes on logs another `paid_start` (stats split the paid span there).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.core.clock import Clock
from storage.billing import queries as billing
from storage.billing.models import Entitlement, EntitlementSource
from storage.database import Session
from storage.notices import queries as notices
from storage.roles import queries as role_changes


@dataclass
class Queued:
    """What a transaction queued for the outbox workers."""

    roles: int = 0
    notices: int = 0

    @property
    def any(self) -> bool:
        """True when a worker has something new to do."""
        return bool(self.roles or self.notices)


@dataclass(frozen=True)
class Price:
    """What an entitlement costs: minor units, currency, and the billing interval."""

    amount: int | None
    currency: str | None
    interval: str | None = None  # None for a one-time purchase
    interval_count: int | None = None

    @classmethod
    def of(cls, row: Entitlement) -> Price:
        """The price stored on the row."""
        return cls(
            row.price_amount, row.price_currency, row.price_interval, row.price_interval_count
        )

    def store_on(self, row: Entitlement) -> None:
        """Write this price onto the row."""
        row.price_amount, row.price_currency = self.amount, self.currency
        row.price_interval, row.price_interval_count = self.interval, self.interval_count


class Ledger:
    """Entitlement writes with their interaction rows, role changes and notices."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    def new_row(
        self, guild_id: int, user_id: int, tier_key: str, source: str, status: str
    ) -> Entitlement:
        """An entitlement not stored yet (inactive until `set_access`)."""
        return Entitlement(
            guild_id=guild_id,
            user_id=user_id,
            tier_key=tier_key,
            source=EntitlementSource(source),
            status=status,
            active=False,
            updated_at=self._clock.now(),
        )

    async def set_access(
        self,
        session: Session,
        row: Entitlement,
        *,
        active: bool,
        status: str,
        at: datetime,
        reason: str,
        effects: Queued,
        price: Price | None = None,
    ) -> bool:
        """Store the new status (and `price`); on a flip log it and queue the role change.

        True on a flip. A changed price while access continues logs a `paid_start` at `at`.
        """
        was_active = row.active if row.id is not None else False
        repriced = price is not None and was_active and Price.of(row) != price
        if price is not None:
            price.store_on(row)
        row.status = status
        row.active = active
        row.updated_at = self._clock.now()
        flipped = active != was_active
        if flipped and active:
            row.granted_at, row.revoked_at = at, None
        elif flipped:
            row.revoked_at = at
        session.add(row)
        await session.flush()
        if flipped:
            await billing.record_paid_change(session, row, started=active, at=at)
            await self.sync_role(session, row.guild_id, row.user_id, row.tier_key, reason, effects)
        elif repriced and active:
            started = max(at, row.granted_at) if row.granted_at else at
            await billing.record_paid_change(session, row, started=True, at=started)
        return flipped

    async def sync_role(
        self,
        session: Session,
        guild_id: int,
        user_id: int,
        tier_key: str,
        reason: str,
        effects: Queued,
    ) -> None:
        """Queue the tier role's add or remove to match the member's active entitlements."""
        tier = await billing.tier(session, guild_id, tier_key)
        if tier is None or not tier.role_id:
            return
        wanted = tier.role_id in await billing.active_role_ids(session, guild_id, user_id)
        await role_changes.queue_role_change(
            session,
            guild_id,
            user_id,
            tier.role_id,
            "add" if wanted else "remove",
            reason=reason,
            at=self._clock.now(),
        )
        effects.roles += 1

    async def notify_member(
        self, session: Session, guild_id: int, user_id: int, text: str, effects: Queued
    ) -> None:
        """Queue a DM to the member."""
        await notices.queue_notice(
            session, guild_id, "dm", text, at=self._clock.now(), user_id=user_id
        )
        effects.notices += 1

    async def alert_moderators(
        self, session: Session, guild_id: int, text: str, effects: Queued
    ) -> None:
        """Queue a post to the guild's moderator log channel."""
        await notices.queue_notice(session, guild_id, "mod_log", text, at=self._clock.now())
        effects.notices += 1

    async def revoke_due(self, session: Session, effects: Queued) -> list[Entitlement]:
        """End access whose scheduled end or past_due grace has passed; the rows ended."""
        now = self._clock.now()
        ended = await billing.due_for_revocation(session, now)
        for row in ended:
            if row.ends_at is not None and row.ends_at <= now:
                at, status = row.ends_at, _ended_status(row)
                reason = "access ended as scheduled"
            else:
                at, status = row.grace_until or now, row.status
                reason = "past_due grace period over"
            await self.set_access(
                session, row, active=False, status=status, at=at, reason=reason, effects=effects
            )
        return ended


def _ended_status(row: Entitlement) -> str:
    # Stripe cancels the subscription at that moment and will say so; manual grants expire.
    return "canceled" if row.source == "stripe" else "expired"
