"""The services one process runs, built once in `main()` and handed to the cogs."""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from bot.ports import Notifier, Publisher, Roles
from bot.scheduler import Scheduler
from bot.services.activity import ActivityService
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


def build_services(
    settings: Settings,
    db: Database,
    interaction_log: InteractionLog,
    clock: Clock,
    scheduler: Scheduler,
    ports: Ports,
) -> Services:
    """Wire every service to its collaborators."""
    return Services(
        settings=settings,
        db=db,
        interaction_log=interaction_log,
        clock=clock,
        scheduler=scheduler,
        activity=ActivityService(db, interaction_log, clock),
    )
