"""The REST API v10 as an aiohttp sub-application."""

from __future__ import annotations

from aiohttp import web

from sandbox.discord.backend import Backend
from sandbox.discord.rest import channels, commands, events, guilds, interactions, users
from sandbox.discord.rest.http import API_PREFIX, BACKEND, api_middleware

__all__ = ["API_PREFIX", "build_api", "route_templates"]


def build_api(sandbox: Backend) -> web.Application:
    """The `/api/v10` application: every route, behind the recording/fault/auth middleware."""
    api = web.Application(middlewares=[api_middleware])
    api[BACKEND] = sandbox
    for module in (users, commands, interactions, channels, guilds, events):
        api.add_routes(module.routes)
    return api


def route_templates(api: web.Application) -> list[str]:
    """Every route as "METHOD /template", the names faults and the call log use."""
    return [
        f"{route.method} {route.resource.canonical}"
        for route in api.router.routes()
        if route.resource is not None and route.method != "HEAD"
    ]
