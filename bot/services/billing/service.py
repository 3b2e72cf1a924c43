"""`BillingService`: the one object cogs, the web route and the scheduler talk to."""

from __future__ import annotations

import logging
from datetime import timedelta

from bot.core.access import Caller
from bot.core.clock import Clock
from bot.core.ports import Roles
from bot.core.text import t
from bot.scheduler import Scheduler
from bot.services.billing.apply import EventApplier
from bot.services.billing.checkout import CheckoutLink, CheckoutService, TierChoice
from bot.services.billing.ledger import Ledger, Queued
from bot.services.billing.moderation import EntitlementView, MembershipAdmin, TierView
from bot.services.billing.reconcile import Reconciler, ReconcileReport
from bot.services.billing.stripe_api import StripeApi
from bot.services.billing.subscriptions import SubscriptionWrites
from bot.services.billing.webhooks import EventWorker, WebhookReceiver
from bot.services.roles import RoleFacts, RoleService
from bot.settings import Settings
from storage.audit import queries as audit
from storage.billing import queries as billing
from storage.database import Database
from storage.roles import queries as role_changes

log = logging.getLogger(__name__)

DUE_CHECK_S = 60.0


class BillingService:
    """Paid membership: checkout, webhooks → entitlements → roles, moderation, reconcile."""

    def __init__(
        self,
        settings: Settings,
        db: Database,
        clock: Clock,
        scheduler: Scheduler,
        stripe_api: StripeApi,
        *,
        roles: Roles,
        role_service: RoleService,
    ) -> None:
        self._settings = settings
        self._db = db
        self._clock = clock
        self._scheduler = scheduler
        self.stripe_api = stripe_api
        grace = timedelta(days=settings.stripe.past_due_grace_days)
        self._ledger = Ledger(clock)
        self.applier = EventApplier(db, stripe_api, clock, grace=grace)
        self._role_service = role_service
        self.outbox = role_service.outbox  # the shared worker (tests drive it directly)
        self.events = EventWorker(db, self.applier, on_effects=self._queued)
        self.receiver = WebhookReceiver(
            db, clock, settings.stripe.webhook_secret.reveal(), on_stored=self.events.offer
        )
        self.events.yield_to = self.receiver.quiet
        self.checkout = CheckoutService(db, stripe_api, settings.stripe, roles)
        self.admin = MembershipAdmin(db, clock, self._ledger, settings, roles)
        self._reconciler = Reconciler(
            db,
            stripe_api,
            roles,
            clock,
            self._ledger,
            SubscriptionWrites(db, stripe_api, clock, self._ledger, grace=grace),
        )

    # ------------------------------------------------------------ lifetime

    async def start(self) -> None:
        """Store the configured tiers, start the workers and the timers."""
        await self.admin.sync_config_tiers()
        await self.events.start()
        self._scheduler.every("billing:due", self.run_due_checks, seconds=DUE_CHECK_S)
        self._scheduler.cron(
            "billing:reconcile",
            self.reconcile_all,
            hour=self._settings.stripe.reconcile_hour,
            minute=0,
        )

    async def stop(self) -> None:
        """Stop the timers and workers; everything unfinished stays in the database."""
        self._scheduler.cancel("billing:due")
        self._scheduler.cancel("billing:reconcile")
        await self.events.stop()
        await self.stripe_api.close()

    def _queued(self, effects: Queued) -> None:
        if effects.any:
            self._role_service.wake()

    # ------------------------------------------------------------ members

    async def tier_choices(self, guild_id: int, typed: str = "") -> list[TierChoice]:
        """Tiers for autocomplete."""
        return await self.checkout.tier_choices(guild_id, typed)

    async def checkout_link(self, guild_id: int, user_id: int, tier_key: str) -> CheckoutLink:
        """`/subscribe`: a Checkout link for the member."""
        return await self.checkout.checkout_link(guild_id, user_id, tier_key)

    async def portal_link(self, guild_id: int, user_id: int) -> str:
        """`/billing`: a customer-portal link."""
        return await self.checkout.portal_link(guild_id, user_id)

    async def member_joined(self, guild_id: int, user_id: int) -> int:
        """A member (re)joined: waiting role changes apply and their paid roles come back."""
        effects = Queued()
        async with self._db.read() as session:  # most joins have nothing to restore
            restore = await role_changes.has_waiting_changes(
                session, guild_id, user_id
            ) or await billing.active_role_ids(session, guild_id, user_id)
        if not restore:
            return 0
        async with self._db.transaction() as session:
            woken = await role_changes.wake_waiting_changes(session, guild_id, user_id)
            waiting = {
                c.role_id
                for c in await role_changes.unfinished_role_changes(session, guild_id, user_id)
            }
            for role_id in sorted(await billing.active_role_ids(session, guild_id, user_id)):
                if role_id not in waiting:
                    await role_changes.queue_role_change(
                        session,
                        guild_id,
                        user_id,
                        role_id,
                        "add",
                        reason="paid tier (rejoined)",
                        at=self._clock.now(),
                    )
                    effects.roles += 1
        if woken or effects.any:
            self._role_service.wake()
        return woken + effects.roles

    async def wake_waiting_members(self) -> int:
        """On (re)connect: changes waiting for members who are here after all apply now."""
        woken = await self._reconciler.wake_present_members()
        if woken:
            log.info("%d role change(s) waited for members who are in the server", woken)
            self._role_service.wake()
        return woken

    # ------------------------------------------------------------ moderators

    async def grant(
        self, guild_id: int, actor: Caller, user_id: int, tier_key: str, until: str | None = None
    ) -> EntitlementView:
        """`/membership grant`."""
        view, effects = await self.admin.grant(guild_id, actor, user_id, tier_key, until)
        self._queued(effects)
        return view

    async def revoke(
        self, guild_id: int, actor: Caller, user_id: int, tier_key: str
    ) -> list[EntitlementView]:
        """`/membership revoke`."""
        views, effects = await self.admin.revoke(guild_id, actor, user_id, tier_key)
        self._queued(effects)
        return views

    async def active_tier_keys(self, guild_id: int, user_id: int) -> frozenset[str]:
        """The tiers the member is entitled to right now (the `Standing` port)."""
        async with self._db.read() as session:
            rows = await billing.entitlements_of_member(session, guild_id, user_id)
        return frozenset(row.tier_key for row in rows if row.active)

    async def lookup(self, guild_id: int, actor: Caller, user_id: int) -> list[EntitlementView]:
        """`/membership lookup`."""
        return await self.admin.lookup(guild_id, actor, user_id)

    async def resync(self, guild_id: int, actor: Caller) -> ReconcileReport:
        """`/membership resync`: reconcile this guild now (audited)."""
        self.admin.check_moderator(guild_id, actor)
        report = await self.reconcile({guild_id})
        async with self._db.transaction() as session:
            await audit.add_audit(
                session,
                guild_id,
                actor.user_id,
                "membership.resync",
                self._clock.now(),
                details={"changes": report[guild_id].changes},
            )
        return report[guild_id]

    async def tiers(self, guild_id: int, actor: Caller) -> list[TierView]:
        """`/setup tiers` without options: the tiers."""
        return await self.admin.tiers(guild_id, actor)

    async def set_tier(
        self,
        guild_id: int,
        actor: Caller,
        key: str,
        *,
        name: str | None = None,
        price_id: str | None = None,
        role: RoleFacts | None = None,
        bot_top_position: int = 0,
        kind: str | None = None,
        enabled: bool | None = None,
    ) -> TierView:
        """`/setup tiers key ...`: create or change a tier (`role` below the bot's and the
        caller's highest role, and without moderator powers)."""
        return await self.admin.set_tier(
            guild_id,
            actor,
            key,
            name=name,
            price_id=price_id,
            role=role,
            bot_top_position=bot_top_position,
            kind=kind,
            enabled=enabled,
        )

    # ------------------------------------------------------------ timers

    async def run_due_checks(self) -> int:
        """End access whose period, grant or past_due grace is over; how many ended."""
        effects = Queued()
        async with self._db.transaction() as session:
            ended = await self._ledger.revoke_due(session, effects)
        self._queued(effects)
        return len(ended)

    async def reconcile(self, guild_ids: set[int]) -> dict[int, ReconcileReport]:
        """Compare Stripe, entitlements and roles for these guilds and repair drift."""
        reports, effects = await self._reconciler.run(guild_ids)
        self._queued(effects)
        self._role_service.retry_now()
        return reports

    async def reconcile_all(self) -> None:
        """The daily job: reconcile every configured guild; post fixes to the mod log."""
        guild_ids = {guild.id for guild in self._settings.guilds}
        try:
            reports = await self.reconcile(guild_ids)
        except Exception:
            log.exception("the daily reconcile failed; it runs again tomorrow")
            return
        effects = Queued()
        async with self._db.transaction() as session:
            for report in reports.values():
                log.info("reconcile guild %s: %s", report.guild_id, report.summary())
                if report.changes or report.problems:
                    await self._ledger.alert_moderators(
                        session,
                        report.guild_id,
                        t("Daily billing check. {summary}", summary=report.summary()),
                        effects,
                    )
        self._queued(effects)
