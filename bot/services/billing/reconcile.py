"""Reconcile: Stripe's subscriptions vs entitlements vs Discord roles; repair the drift."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from bot.core.clock import Clock
from bot.core.ports import PortError, Roles
from bot.core.text import t
from bot.services.billing.ledger import Ledger, Queued
from bot.services.billing.objects import SubscriptionState, parse_subscription
from bot.services.billing.stripe_api import StripeApi
from bot.services.billing.subscriptions import SubscriptionWrites
from storage.billing import queries as billing
from storage.database import Database
from storage.roles import queries as role_changes

log = logging.getLogger(__name__)


@dataclass
class ReconcileReport:
    """What one reconcile found and changed in one guild."""

    guild_id: int
    subscriptions_checked: int = 0
    members_checked: int = 0
    changes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One paragraph for moderators."""
        counts = {"subscriptions": self.subscriptions_checked, "members": self.members_checked}
        if not self.changes:
            text = t(
                "Checked {subscriptions} Stripe subscription(s) and {members} member(s): "
                "everything matched.",
                **counts,
            )
        else:
            text = t(
                "Checked {subscriptions} Stripe subscription(s) and {members} member(s): "
                "{count} fix(es):\n{changes}",
                count=len(self.changes),
                changes=_bullets(self.changes),
                **counts,
            )
        if self.problems:
            text = t(
                "{summary}\nCould not check:\n{problems}",
                summary=text,
                problems=_bullets(self.problems),
            )
        return text


def _bullets(lines: list[str]) -> str:
    return "\n".join(f"• {line}" for line in lines)


class Reconciler:
    """Brings entitlements in line with Stripe, and roles in line with entitlements."""

    def __init__(
        self,
        db: Database,
        stripe_api: StripeApi,
        roles: Roles,
        clock: Clock,
        ledger: Ledger,
        subscriptions: SubscriptionWrites,
    ) -> None:
        self._db = db
        self._stripe = stripe_api
        self._roles = roles
        self._clock = clock
        self._ledger = ledger
        self._subscriptions = subscriptions

    async def run(self, guild_ids: set[int]) -> tuple[dict[int, ReconcileReport], Queued]:
        """Reconcile these guilds; a report per guild and what was queued."""
        reports = {guild_id: ReconcileReport(guild_id) for guild_id in guild_ids}
        effects = Queued()
        seen = await self._stripe_pass(reports, effects)
        await self._missing_pass(reports, seen, effects)
        async with self._db.transaction() as session:
            for row in await self._ledger.revoke_due(session, effects):
                if row.guild_id in reports:
                    reports[row.guild_id].changes.append(
                        t(
                            "ended <@{user_id}>'s **{tier}** (its end date passed)",
                            user_id=row.user_id,
                            tier=row.tier_key,
                        )
                    )
        for report in reports.values():
            await self._role_pass(report, effects)
        return reports, effects

    async def _stripe_pass(self, reports: dict[int, ReconcileReport], effects: Queued) -> set[str]:
        seen: set[str] = set()
        async for obj in self._stripe.list_subscriptions():
            state = parse_subscription(obj)
            seen.add(state.id)
            await self._apply(state, reports, effects)
        return seen

    async def _missing_pass(
        self, reports: dict[int, ReconcileReport], seen: set[str], effects: Queued
    ) -> None:
        for guild_id in reports:
            async with self._db.read() as session:
                rows = await billing.stripe_guild_entitlements(session, guild_id)
            for row in rows:
                if not row.active or row.stripe_subscription_id in seen:
                    continue
                assert row.stripe_subscription_id is not None
                obj = await self._stripe.retrieve_subscription(row.stripe_subscription_id)
                if obj is None:
                    await self._end_missing(row.id or 0, reports[guild_id], effects)
                else:
                    await self._apply(parse_subscription(obj), reports, effects)

    async def wake_present_members(self) -> int:
        """Changes waiting for a member who is in fact in the server become due; how many."""
        async with self._db.read() as session:
            waiting = await role_changes.members_with_waiting_changes(session)
        woken = 0
        for guild_id, user_id in waiting:
            try:
                if await self._roles.member_role_ids(guild_id, user_id) is None:
                    continue
            except PortError as error:
                log.warning(
                    "could not check whether %s is in guild %s: %s", user_id, guild_id, error
                )
                continue
            async with self._db.transaction() as session:
                woken += await role_changes.wake_waiting_changes(session, guild_id, user_id)
        return woken

    async def _apply(
        self, state: SubscriptionState, reports: dict[int, ReconcileReport], effects: Queued
    ) -> None:
        async with self._db.transaction() as session:
            rows = await billing.entitlements_by(session, subscription_id=state.id)
            guild_id = rows[0].guild_id if rows else state.member.guild_id if state.member else 0
            if guild_id not in reports:
                return  # another community's subscription, or not one of ours
            report = reports[guild_id]
            report.subscriptions_checked += 1
            before = {row.id: (row.active, row.status) for row in rows}
            now = self._clock.now()
            write = self._subscriptions.write(state, version=now, since=now, authoritative=True)
            await write(session, effects)
            for row in await billing.entitlements_by(session, subscription_id=state.id):
                was = before.get(row.id)
                if was is None or was[0] != row.active:
                    values = {"user_id": row.user_id, "tier": row.tier_key, "status": state.status}
                    report.changes.append(
                        t("granted <@{user_id}>'s **{tier}** (Stripe: {status})", **values)
                        if row.active
                        else t("revoked <@{user_id}>'s **{tier}** (Stripe: {status})", **values)
                    )

    async def _end_missing(self, row_id: int, report: ReconcileReport, effects: Queued) -> None:
        async with self._db.transaction() as session:
            rows = await billing.entitlements_of_guild(session, report.guild_id)
            row = next((r for r in rows if r.id == row_id), None)
            if row is None or not row.active:
                return
            await self._ledger.set_access(
                session,
                row,
                active=False,
                status="canceled",
                at=self._clock.now(),
                reason="subscription no longer exists on Stripe",
                effects=effects,
            )
            report.changes.append(
                t(
                    "revoked <@{user_id}>'s **{tier}** (its subscription is gone)",
                    user_id=row.user_id,
                    tier=row.tier_key,
                )
            )

    async def _role_pass(self, report: ReconcileReport, effects: Queued) -> None:
        guild_id = report.guild_id
        async with self._db.read() as session:
            tier_roles = {
                tier.role_id
                for tier in await billing.tiers(session, guild_id, enabled_only=False)
                if tier.role_id
            }
            rows = await billing.entitlements_of_guild(session, guild_id)
            managed = {
                (m.user_id, m.role_id) for m in await role_changes.managed_roles(session, guild_id)
            }
            unfinished = {
                (c.user_id, c.role_id)
                for c in await role_changes.unfinished_role_changes(session, guild_id)
            }
        users = sorted({row.user_id for row in rows} | {user for user, _ in managed | unfinished})
        for user_id in users:
            try:
                current = await self._roles.member_role_ids(guild_id, user_id)
            except PortError as error:
                report.problems.append(t("<@{user_id}>: {error}", user_id=user_id, error=error))
                continue
            if current is None:
                continue  # not in the server; their roles come back when they join
            report.members_checked += 1
            async with self._db.transaction() as session:
                # Here after all (their join was missed): what waited for them applies now.
                if woken := await role_changes.wake_waiting_changes(session, guild_id, user_id):
                    effects.roles += woken
                    report.changes.append(
                        t(
                            "applied {count} role change(s) that waited for <@{user_id}> to join",
                            count=woken,
                            user_id=user_id,
                        )
                    )
                wanted = await billing.active_role_ids(session, guild_id, user_id)
                for role_id in sorted(wanted - current):
                    if (user_id, role_id) in unfinished:
                        continue
                    await role_changes.queue_role_change(
                        session,
                        guild_id,
                        user_id,
                        role_id,
                        "add",
                        reason="reconcile: paid role missing",
                        at=self._clock.now(),
                    )
                    effects.roles += 1
                    report.changes.append(
                        t("gave <@{user_id}> <@&{role_id}> back", user_id=user_id, role_id=role_id)
                    )
                extra = (current & tier_roles) - wanted
                for role_id in sorted(extra):
                    if (user_id, role_id) not in managed or (user_id, role_id) in unfinished:
                        continue  # given by hand (or already on its way out): not ours to take
                    await role_changes.queue_role_change(
                        session,
                        guild_id,
                        user_id,
                        role_id,
                        "remove",
                        reason="reconcile: no paid access",
                        at=self._clock.now(),
                    )
                    effects.roles += 1
                    report.changes.append(
                        t("took <@&{role_id}> from <@{user_id}>", role_id=role_id, user_id=user_id)
                    )
