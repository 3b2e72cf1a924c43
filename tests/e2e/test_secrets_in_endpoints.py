"""Nothing derived from a secret shows in /healthz or /metrics, with every secret set."""

from __future__ import annotations

import aiohttp

from sandbox.community import Community


def configured_secrets(world: Community) -> list[str]:
    settings = world.settings
    secrets = [
        settings.discord.token.reveal(),
        settings.stripe.api_key.reveal(),
        settings.stripe.webhook_secret.reveal(),
        settings.privacy_secret.reveal(),
    ]
    assert all(secrets)  # the community sets each one
    return secrets


async def test_healthz_and_metrics_never_show_a_secret(community: Community) -> None:
    bodies = []
    async with aiohttp.ClientSession() as http:
        for path in ("/healthz", "/metrics"):
            async with http.get(f"{community.app.web_url}{path}") as resp:
                bodies.append(await resp.text())

    for secret in configured_secrets(community):
        assert all(secret not in body for body in bodies)
        assert all(secret[:12] not in body for body in bodies)  # nor a recognisable prefix
