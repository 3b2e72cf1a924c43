"""The Feature record: what one feature declares, so the runtime can derive the rest.

A feature is a package in each layer (`cogs/<f>/`, `bot/services/<f>/`, `storage/<f>/`)
plus one `Feature` in `bot/features.py`. From the `FEATURES` tuple the runtime derives
the extensions to load, the services to build (in order, so a later feature may use an
earlier one's service), the web routes, the CLI commands, start/stop order, the one
catch-up after the gateway is ready, and the privacy hooks.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar, cast

from aiohttp import web

from bot.core.clock import Clock
from bot.core.events import EventBus
from bot.core.ports import Notifier, Publisher, Roles, Roster
from bot.scheduler import Scheduler
from bot.settings import GuildSection, Settings
from storage.database import Database, Session
from storage.interaction_log import InteractionLog
from storage.privacy import Erasure

S = TypeVar("S")
T = TypeVar("T")


@dataclass(frozen=True)
class Ports:
    """What services may ask of Discord."""

    roles: Roles
    publisher: Publisher
    notifier: Notifier
    roster: Roster


class Services:
    """The services of one process, by type: `services.get(BillingService)`."""

    def __init__(self) -> None:
        self._by_type: dict[type[Any], Any] = {}

    def add(self, service: object) -> None:
        """Register a built service under its own type."""
        kind = type(service)
        if kind in self._by_type:
            raise ValueError(f"a {kind.__name__} is built twice")
        self._by_type[kind] = service

    def get(self, kind: type[T]) -> T:
        """The service of that type (built by a feature declared earlier)."""
        try:
            service = self._by_type[kind]
        except KeyError:
            raise LookupError(f"no {kind.__name__} was built (is its feature declared?)") from None
        if not isinstance(service, kind):  # pragma: no cover - add() keys by type
            raise TypeError(kind.__name__)
        return service

    def providing(self, port: type[T]) -> T | None:
        """The first built service implementing a runtime-checkable port, if any."""
        for service in self._by_type.values():
            if isinstance(service, port):
                return service
        return None

    def __contains__(self, kind: type[Any]) -> bool:
        return kind in self._by_type


@dataclass(frozen=True)
class Context:
    """Everything a feature's service may be built from."""

    settings: Settings
    db: Database
    interaction_log: InteractionLog
    clock: Clock
    scheduler: Scheduler
    ports: Ports
    bus: EventBus
    services: Services
    # Stand-ins a test or the demo hands in for a port the feature would otherwise build
    # itself (e.g. Stripe's API), by the type the feature asks for.
    provided: Mapping[type[Any], Any] = field(default_factory=dict)

    def provided_or(self, kind: type[T], build: Callable[[], T]) -> T:
        """The provided stand-in of `kind`, else what `build` makes."""
        given = self.provided.get(kind)
        return cast(T, given) if given is not None else build()


MemberExport = Callable[[Session, int, int], Awaitable[dict[str, Any]]]
MemberErase = Callable[[Session, Erasure], Awaitable[int]]


@dataclass(frozen=True)
class Privacy:
    """A feature's personal data: the tables that hold it and how to export or erase it.

    `export_member(session, guild_id, user_id)` returns JSON-ready data;
    `forget_member(session, erasure)` deletes it, or puts `erasure.pseudonym` in place of
    the member's id where a row must stay (aggregates, payment records), and returns how
    many rows changed; every feature's hook runs in the one transaction of a deletion.
    `kept` names what stays about the member after a deletion, table by table, and why
    (stored with the request, shown in docs/privacy.md).
    """

    tables: tuple[str, ...]
    export_member: MemberExport
    forget_member: MemberErase
    kept: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Feature(Generic[S]):
    """One feature, as the runtime sees it."""

    name: str
    build: Callable[[Context], S]
    # The discord.py extension with the feature's cogs (None: no Discord surface).
    extension: str | None = None
    # aiohttp routes the web server serves for the feature.
    routes: Callable[[S], Sequence[web.RouteDef]] | None = None
    # A module with `COMMANDS: list[Command]`, imported only when the CLI runs.
    commands: str | None = None
    # Workers and timers: started before the web server and the gateway, stopped after.
    start: Callable[[S], Awaitable[None]] | None = None
    stop: Callable[[S], Awaitable[None]] | None = None
    # Run once each time the gateway is ready, in declared order (what was missed).
    catch_up: Callable[[S], Awaitable[object]] | None = None
    # None only for a feature that stores nothing about a person.
    privacy: Privacy | None = None
    # The feature's own `[guilds.<name>]` config table (read in the loader's one pass).
    guild_settings: GuildSection[Any] | None = None
