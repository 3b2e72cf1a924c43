"""End-to-end fixtures: the real bot against the Discord and Stripe stand-ins."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from sandbox.community import Community, running_community
from sandbox.discord import DiscordSandbox
from tests.e2e.mention_check import unsafe_sends
from tests.e2e.spec_check import ContractRecorder


@pytest.fixture
async def community(tmp_path: Path, database_url: str) -> AsyncIterator[Community]:
    """A fresh community with the real bot connected and ready (on PostgreSQL when
    DATABASE_URL is set, as in CI)."""
    async with running_community(tmp_path, database_url=database_url) as world:
        yield world


@pytest.fixture(autouse=True)
def discord_contract(
    monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> Iterator[ContractRecorder]:
    """Every Discord sandbox of the test is held to Discord's OpenAPI spec: each REST call
    (route, the bot's body, the sandbox's answer) and each gateway dispatch, checked at the end."""
    recorder = ContractRecorder()
    start = DiscordSandbox.start

    async def watched_start(sandbox: DiscordSandbox) -> None:
        recorder.watch(sandbox)
        await start(sandbox)

    monkeypatch.setattr(DiscordSandbox, "start", watched_start)
    yield recorder
    bot_sent = request.node.get_closest_marker("raw_client") is None
    pings = [p for sandbox in recorder.sandboxes for p in unsafe_sends(sandbox.calls)]
    if bot_sent and pings:
        pytest.fail("the bot sent messages that could ping from their text:\n" + "\n".join(pings))
    problems = recorder.problems()
    if problems:
        listing = "\n".join(f"  - {p}" for p in problems)
        pytest.fail(
            f"{len(problems)} mismatch(es) with Discord's OpenAPI spec "
            f"(tests/fixtures/discord-api-spec; allowlist: tests/e2e/spec_check.py ALLOWED):\n"
            f"{listing}",
            pytrace=False,
        )
