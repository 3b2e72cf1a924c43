"""The aiohttp web app: /healthz, /metrics, and the routes features add (Stripe webhook)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass

from aiohttp import web
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from storage.database import Database
from storage.interaction_log import InteractionLog


@dataclass(frozen=True)
class ShardStatus:
    """One gateway connection: open or not, and its last heartbeat latency."""

    id: int
    connected: bool
    latency_ms: float | None


@dataclass(frozen=True)
class GatewayStatus:
    """What the Discord connection looks like right now (connected: every shard is)."""

    connected: bool
    ready: bool
    latency_ms: float | None
    guilds: int
    shards: tuple[ShardStatus, ...] = ()


@dataclass(frozen=True)
class WebDeps:
    """What /healthz and /metrics read."""

    db: Database
    interaction_log: InteractionLog
    gateway_status: Callable[[], GatewayStatus]


DEPS = web.AppKey("deps", WebDeps)
REGISTRY = web.AppKey("registry", CollectorRegistry)


class _LyceumCollector(Collector):
    def __init__(self, deps: WebDeps) -> None:
        self._deps = deps

    def collect(self) -> Iterator[Metric]:
        stats = self._deps.interaction_log.stats
        written = CounterMetricFamily("lyceum_interactions_written", "Interaction rows written")
        written.add_metric([], stats.written)
        yield written
        refused = CounterMetricFamily(
            "lyceum_interactions_refused", "Interaction rows refused because the queue was full"
        )
        refused.add_metric([], stats.dropped)
        yield refused
        for name, doc, value in (
            (
                "set_aside",
                "Interaction rows the database kept refusing, set aside",
                stats.set_aside,
            ),
            ("lost", "Interaction rows still unwritten when shutdown gave up", stats.lost),
            ("duplicates", "Interaction rows the database already held", stats.duplicates),
        ):
            counter = CounterMetricFamily(f"lyceum_interactions_{name}", doc)
            counter.add_metric([], value)
            yield counter
        pending = GaugeMetricFamily("lyceum_interactions_pending", "Interaction rows queued")
        pending.add_metric([], self._deps.interaction_log.pending)
        yield pending
        gateway = self._deps.gateway_status()
        ready = GaugeMetricFamily("lyceum_gateway_ready", "1 when the Discord gateway is ready")
        ready.add_metric([], 1 if gateway.ready else 0)
        yield ready
        connected = GaugeMetricFamily(
            "lyceum_gateway_shard_connected",
            "1 while a shard's gateway socket is open",
            labels=["shard"],
        )
        for shard in gateway.shards:
            connected.add_metric([str(shard.id)], 1 if shard.connected else 0)
        yield connected
        if gateway.latency_ms is not None:
            latency = GaugeMetricFamily("lyceum_gateway_latency_ms", "Heartbeat latency")
            latency.add_metric([], gateway.latency_ms)
            yield latency


async def healthz(request: web.Request) -> web.Response:
    """Database and gateway status as JSON; 503 when either is down."""
    deps = request.app[DEPS]
    database_ok = await deps.db.ping()
    gateway = deps.gateway_status()
    log = deps.interaction_log
    body = {
        "status": "ok" if database_ok and gateway.ready else "degraded",
        "database": "ok" if database_ok else "down",
        "gateway": asdict(gateway),
        "interaction_log": {
            "running": log.running,
            "pending": log.pending,
            "written": log.stats.written,
            "refused": log.stats.dropped,
            "set_aside": log.stats.set_aside,
            "lost": log.stats.lost,
        },
    }
    return web.Response(
        text=json.dumps(body),
        status=200 if body["status"] == "ok" else 503,
        content_type="application/json",
    )


async def metrics(request: web.Request) -> web.Response:
    """Prometheus text exposition."""
    return web.Response(
        body=generate_latest(request.app[REGISTRY]),
        headers={"Content-Type": "text/plain; version=0.0.4; charset=utf-8"},
    )


def create_web_app(deps: WebDeps, extra_routes: Iterable[web.RouteDef] = ()) -> web.Application:
    """Build the app; features pass their own routes (e.g. POST /stripe/webhook)."""
    app = web.Application(client_max_size=1024**2)
    app[DEPS] = deps
    registry = CollectorRegistry(auto_describe=True)
    registry.register(_LyceumCollector(deps))
    app[REGISTRY] = registry
    app.add_routes([web.get("/healthz", healthz), web.get("/metrics", metrics), *extra_routes])
    return app
