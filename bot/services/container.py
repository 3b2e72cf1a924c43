"""The services one process runs, built once in `main()` and handed to the cogs."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.clock import Clock
from bot.core.ports import Notifier, Publisher, Roles
from bot.scheduler import Scheduler
from bot.services.activity import ActivityService
from bot.services.billing import BillingService, StripeGateway
from bot.services.stats import StatsService
from bot.settings import Settings
from storage.database import Database
from storage.interaction_log import InteractionLog


@dataclass(frozen=True)
class Ports:
    """What services may ask of Discord."""

    roles: Roles
    publisher: Publisher
    notifier: Notifier


@dataclass(frozen=True)
class Services:
    """Every service, sharing one database, log, clock and scheduler."""

    settings: Settings
    db: Database
    interaction_log: InteractionLog
    clock: Clock
    scheduler: Scheduler
    activity: ActivityService
    billing: BillingService
    stats: StatsService


def build_services(
    settings: Settings,
    db: Database,
    interaction_log: InteractionLog,
    clock: Clock,
    scheduler: Scheduler,
    ports: Ports,
    stripe: StripeGateway | None = None,
) -> Services:
    """Wire every service to its collaborators (`stripe`: Stripe's API unless given)."""
    if stripe is None:
        from bot.stripe_gateway import StripeApiGateway

        stripe = StripeApiGateway(settings.stripe)
    return Services(
        settings=settings,
        db=db,
        interaction_log=interaction_log,
        clock=clock,
        scheduler=scheduler,
        activity=ActivityService(db, interaction_log, clock),
        billing=BillingService(
            settings,
            db,
            clock,
            scheduler,
            stripe,
            roles=ports.roles,
            notifier=ports.notifier,
            publisher=ports.publisher,
        ),
        stats=StatsService(db, clock, settings, publisher=ports.publisher, scheduler=scheduler),
    )
