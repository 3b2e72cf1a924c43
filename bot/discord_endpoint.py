"""Point discord.py at a Discord-compatible server other than discord.com."""

from __future__ import annotations

import discord.gateway
import discord.http
import yarl

DISCORD_API_BASE = "https://discord.com"
DISCORD_GATEWAY = "wss://gateway.discord.gg/"


def use_api_base(api_base: str) -> None:
    """Send REST calls to `{api_base}/api/v10` and open the gateway at `{api_base}/gateway`.

    An empty `api_base` restores Discord's own addresses. discord.py keeps these
    as class attributes, so the choice holds for every client in the process.
    """
    if not api_base:
        discord.http.Route.BASE = f"{DISCORD_API_BASE}/api/v10"
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(DISCORD_GATEWAY)
        return
    base = yarl.URL(api_base.rstrip("/"))
    discord.http.Route.BASE = str(base / "api" / "v10")
    ws_scheme = "wss" if base.scheme == "https" else "ws"
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = base.with_scheme(ws_scheme) / "gateway"
