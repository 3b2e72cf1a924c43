"""Interaction rules and shapes over raw HTTP: deadlines, double answers, `with_response`, ids."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sandbox.discord import DiscordError, DiscordSandbox, Interaction, SandboxGuild
from sandbox.discord.bodies import numbered_components, parse_message_body
from sandbox.discord.models import walk_components

COMMAND, COMPONENT, AUTOCOMPLETE = 2, 3, 4
BUTTON_ROW = [
    {
        "type": 1,
        "components": [
            {"type": 2, "style": 1, "label": "A", "custom_id": "a"},
            {"type": 2, "style": 1, "label": "B", "custom_id": "b", "id": 2},
        ],
    }
]


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    """A plain HTTP client, for answers discord.py would hide."""
    async with aiohttp.ClientSession() as session:
        yield session


def interaction(
    sandbox: DiscordSandbox, guild: SandboxGuild, kind: int = COMMAND, **data: Any
) -> Interaction:
    """An INTERACTION_CREATE from the owner in #general (no bot needs to be listening)."""
    channel = guild.channel("general")
    message = None
    if kind == COMPONENT:
        message = sandbox.backend.messages.post(
            channel,
            sandbox.bot_user,
            parse_message_body(
                {"content": "pick", "components": BUTTON_ROW}, [], sandbox.state.ids
            ),
        )
    payload = {"id": "1", "name": "echo", "type": 1, **data}
    return sandbox.backend.interactions.send(guild.owner.user, channel, kind, payload, message)


async def answer(
    http: aiohttp.ClientSession,
    sandbox: DiscordSandbox,
    i: Interaction,
    body: dict[str, Any],
    *,
    with_response: bool = True,
) -> tuple[int, Any]:
    url = f"{sandbox.api_base}/api/v10/interactions/{i.id}/{i.token}/callback"
    params = {"with_response": "true"} if with_response else {}
    async with http.post(url, json=body, params=params) as response:
        text = await response.text()
        return response.status, (await response.json()) if text else None


async def webhook(
    http: aiohttp.ClientSession, sandbox: DiscordSandbox, i: Interaction, content: str
) -> tuple[int, Any]:
    url = f"{sandbox.api_base}/api/v10/webhooks/{sandbox.application_id}/{i.token}"
    async with http.post(url, json={"content": content}, params={"wait": "true"}) as response:
        return response.status, await response.json()


# -- with_response shapes ----------------------------------------------------------------------


async def test_deferred_answer_creates_a_loading_message_but_returns_no_message(
    sandbox: DiscordSandbox, guild: SandboxGuild, http: aiohttp.ClientSession
) -> None:
    i = interaction(sandbox, guild)
    status, body = await answer(http, sandbox, i, {"type": 5, "data": {"flags": 64}})
    assert status == 200
    assert body["resource"] == {"type": 5}
    assert body["interaction"]["response_message_loading"] is True
    assert body["interaction"]["response_message_ephemeral"] is True
    assert body["interaction"]["response_message_id"] == str(i.original_id)


async def test_deferred_update_returns_no_message(
    sandbox: DiscordSandbox, guild: SandboxGuild, http: aiohttp.ClientSession
) -> None:
    i = interaction(sandbox, guild, COMPONENT, custom_id="a", component_type=2)
    status, body = await answer(http, sandbox, i, {"type": 6})
    assert status == 200
    assert body == {"interaction": {"id": str(i.id), "type": COMPONENT}, "resource": {"type": 6}}


async def test_autocomplete_answer_returns_no_message(
    sandbox: DiscordSandbox, guild: SandboxGuild, http: aiohttp.ClientSession
) -> None:
    i = interaction(sandbox, guild, AUTOCOMPLETE)
    choices = {"choices": [{"name": "pro", "value": "pro"}]}
    status, body = await answer(http, sandbox, i, {"type": 8, "data": choices})
    assert status == 200
    assert body == {
        "interaction": {"id": str(i.id), "type": AUTOCOMPLETE},
        "resource": {"type": 8},
    }


@pytest.mark.parametrize("kind", [4, 5, 8])
async def test_without_with_response_every_answer_is_204(
    sandbox: DiscordSandbox, guild: SandboxGuild, http: aiohttp.ClientSession, kind: int
) -> None:
    i = interaction(sandbox, guild, AUTOCOMPLETE if kind == 8 else COMMAND)
    data: dict[str, Any] = {"choices": []} if kind == 8 else {"content": "hi"}
    assert await answer(http, sandbox, i, {"type": kind, "data": data}, with_response=False) == (
        204,
        None,
    )


async def test_message_answer_returns_the_message_with_component_ids(
    sandbox: DiscordSandbox, guild: SandboxGuild, http: aiohttp.ClientSession
) -> None:
    i = interaction(sandbox, guild)
    data = {"content": "pick", "components": BUTTON_ROW}
    status, body = await answer(http, sandbox, i, {"type": 4, "data": data})
    assert status == 200
    message = body["resource"]["message"]
    row = message["components"][0]
    assert [row["id"], *(c["id"] for c in row["components"])] == [1, 3, 2]
    assert body["interaction"]["response_message_id"] == message["id"]


# -- deadlines and double answers ----------------------------------------------------------------


async def test_second_answer_is_already_acknowledged(
    sandbox: DiscordSandbox, guild: SandboxGuild, http: aiohttp.ClientSession
) -> None:
    i = interaction(sandbox, guild)
    assert (await answer(http, sandbox, i, {"type": 5}))[0] == 200
    status, body = await answer(http, sandbox, i, {"type": 4, "data": {"content": "again"}})
    assert (status, body["code"]) == (400, 40060)
    assert body["message"] == "Interaction has already been acknowledged."


async def test_answer_after_three_seconds_is_unknown_interaction(
    sandbox: DiscordSandbox, guild: SandboxGuild, http: aiohttp.ClientSession
) -> None:
    sandbox.backend.interactions.response_deadline = 0.05
    i = interaction(sandbox, guild)
    await asyncio.sleep(0.06)
    status, body = await answer(http, sandbox, i, {"type": 4, "data": {"content": "late"}})
    assert (status, body["code"], body["message"]) == (404, 10062, "Unknown interaction")


async def test_followups_work_until_the_token_expires(http: aiohttp.ClientSession) -> None:
    async with DiscordSandbox(interaction_token_lifetime=0.3) as sandbox:
        g = sandbox.create_guild("short tokens")
        g.create_text_channel("general")
        i = interaction(sandbox, g)
        assert (await answer(http, sandbox, i, {"type": 5}))[0] == 200
        assert (await webhook(http, sandbox, i, "first"))[0] == 200
        await asyncio.sleep(0.31)
        status, body = await webhook(http, sandbox, i, "too late")
        assert (status, body["code"]) == (401, 50027)


async def test_followup_before_any_answer_is_unknown_webhook(
    sandbox: DiscordSandbox, guild: SandboxGuild, http: aiohttp.ClientSession
) -> None:
    i = interaction(sandbox, guild)
    status, body = await webhook(http, sandbox, i, "too early")
    assert (status, body["code"]) == (404, 10015)


# -- component ids --------------------------------------------------------------------------------


def test_duplicate_component_ids_are_refused() -> None:
    row = [{"type": 1, "id": 7, "components": [{"type": 2, "custom_id": "x", "id": 7}]}]
    with pytest.raises(DiscordError) as refused:
        numbered_components(row)
    assert (refused.value.status, refused.value.code) == (400, 50035)


def test_numbering_does_not_change_what_the_bot_sent() -> None:
    sent = [{"type": 1, "components": [{"type": 2, "custom_id": "x"}]}]
    numbered_components(sent)
    assert "id" not in sent[0]


component_tree = st.recursive(
    st.fixed_dictionaries({"type": st.just(2)}, optional={"id": st.integers(0, 12)}),
    lambda children: st.fixed_dictionaries(
        {"type": st.just(1), "components": st.lists(children, max_size=4)},
        optional={"id": st.integers(0, 12)},
    ),
    max_leaves=12,
)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(component_tree, max_size=4))
def test_every_component_gets_a_unique_id_and_keeps_its_own(
    components: list[dict[str, Any]],
) -> None:
    given_ids = [c["id"] for c in walk_components(components) if c.get("id")]
    if len(given_ids) != len(set(given_ids)):
        with pytest.raises(DiscordError):
            numbered_components(components)
        return
    numbered = walk_components(numbered_components(components))
    ids = [c["id"] for c in numbered]
    assert len(ids) == len(set(ids)) and all(n >= 1 for n in ids)
    for before, after in zip(walk_components(components), numbered, strict=True):
        if before.get("id"):
            assert after["id"] == before["id"]
    free = (n for n in itertools.count(1) if n not in given_ids)
    filled = list(itertools.islice(free, len(ids) - len(given_ids)))
    assert sorted(ids) == sorted(given_ids + filled)  # the smallest free numbers
