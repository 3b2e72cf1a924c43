"""The Discord spec check: it finds the operation, names the failing field, and every route and
every kind of dispatch the sandbox has fits Discord's OpenAPI spec (no bot needed)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from sandbox.discord import DiscordSandbox, Perm
from sandbox.discord.calls import Call
from sandbox.discord.reply import Reply
from tests.e2e.discord_spec import operation
from tests.e2e.spec_check import ALLOWED, check_call, check_dispatch

USER = {
    "id": "80351110224678912",
    "username": "nelly",
    "global_name": None,
    "discriminator": "0",
    "avatar": None,
    "public_flags": 0,
    "flags": 0,
    "primary_guild": None,
}


HOOK = "/webhooks/{webhook_id}/{webhook_token}"
REACTIONS = "/channels/{channel_id}/messages/{message_id}/reactions"


def _call(method: str, path: str, status: int, answer: Any, json: Any = None) -> Call:
    call = Call(method, path, f"{method} {path}", {}, json, status=status)
    call.answer = answer
    return call


@pytest.mark.parametrize(
    ("method", "path", "template"),
    [
        ("GET", "/users/@me", "/users/@me"),
        ("GET", "/users/42", "/users/{user_id}"),
        ("PATCH", "/webhooks/1/t/messages/@original", f"{HOOK}/messages/@original"),
        ("PATCH", "/webhooks/1/t/messages/5", f"{HOOK}/messages/{{message_id}}"),
        ("PUT", "/channels/1/messages/2/reactions/%F0%9F/@me", f"{REACTIONS}/{{emoji_name}}/@me"),
    ],
)
def test_a_call_finds_its_operation_literal_segments_first(
    method: str, path: str, template: str
) -> None:
    found = operation(method, path)
    assert found is not None and found.template == template


def test_routes_the_spec_lacks_are_reported() -> None:
    assert operation("GET", "/users/@me/nothing") is None
    [problem] = check_call(_call("GET", "/users/@me/nothing", 404, {"message": "x", "code": 0}))
    assert problem.field == "route"


def test_a_missing_field_is_named_by_its_component() -> None:
    user = {k: v for k, v in USER.items() if k != "primary_guild"}
    [problem] = check_call(_call("GET", "/users/42", 200, user))
    assert problem.field == "UserResponse.primary_guild"
    assert "GET /users/{user_id} 200 answer" in str(problem)
    assert check_call(_call("GET", "/users/42", 200, USER)) == []


def test_a_union_reports_the_branch_that_was_meant() -> None:
    message = {"id": "1", "type": 0, "author": {**USER, "username": 5}}
    answer = {"interaction": {"id": "1", "type": 2}, "resource": {"type": 4, "message": message}}
    problems = check_call(_call("POST", "/interactions/1/tok/callback", 200, answer))
    fields = {p.field for p in problems}
    assert "UserResponse.username" in fields and "MessageResponse.content" in fields
    assert not any("activity_instance" in p.field for p in problems)


def test_statuses_bodies_and_query_parameters_are_checked() -> None:
    assert check_call(_call("POST", "/channels/1/typing", 204, None)) == []
    [extra] = check_call(_call("POST", "/channels/1/typing", 204, {"x": 1}))
    assert extra.detail == "the spec says no body"
    [status] = check_call(_call("POST", "/channels/1/typing", 302, None))
    assert status.field == "status"
    call = _call("POST", "/interactions/1/tok/callback", 204, None, json={"type": 6})
    call.params = {"with_response": "0", "bogus": "1"}
    assert [p.field for p in check_call(call)] == ["query.bogus"]
    assert check_call(_call("GET", "/users/1", 503, {"message": "down", "code": 0})) == []


def test_dispatches_without_a_rule_fail_and_partials_are_allowed() -> None:
    [unknown] = check_dispatch("PRESENCE_UPDATE", {})
    assert "DISPATCH_TARGETS" in unknown.detail
    member = {
        "roles": [],
        "joined_at": "2026-01-01T00:00:00+00:00",
        "deaf": False,
        "mute": False,
        "flags": 0,
        "pending": False,
        "nick": None,
        "avatar": None,
        "banner": None,
        "premium_since": None,
        "communication_disabled_until": None,
    }
    assert [p.field for p in check_dispatch("GUILD_MEMBER_ADD", member)] == [
        "GuildMemberResponse.user"
    ]
    assert check_dispatch("GUILD_MEMBER_ADD", {**member, "user": USER}) == []


def test_allowlist_entries_give_reasons_and_cover_only_their_place() -> None:
    assert all(len(a.reason) > 40 for a in ALLOWED)
    body = {"content": "x", "attachments": [{"id": 0}]}
    call = _call("POST", "/channels/1/messages", 200, None, json=body)
    problems = [p for p in check_call(call) if p.field == "MessageAttachmentRequest.id"]
    assert problems and all(any(a.covers(p) for a in ALLOWED) for p in problems)
    answer_problem = check_call(_call("GET", "/users/1", 200, {**USER, "flags": "x"}))
    assert answer_problem and not any(a.covers(p) for a in ALLOWED for p in answer_problem)


@pytest.fixture
async def scene() -> AsyncIterator[tuple[DiscordSandbox, aiohttp.ClientSession]]:
    """A running sandbox and an HTTP session authorised as its bot."""
    async with (
        DiscordSandbox() as sandbox,
        aiohttp.ClientSession(
            base_url=sandbox.api_base,
            headers={"Authorization": f"Bot {sandbox.token}"},
        ) as http,
    ):
        yield sandbox, http


def _allowed(problems: list[Any]) -> list[str]:
    return [str(p) for p in problems if not any(a.covers(p) for a in ALLOWED)]


async def test_every_kind_of_dispatch_fits_the_spec(
    scene: tuple[DiscordSandbox, aiohttp.ClientSession],
) -> None:
    sandbox, _ = scene
    guild = sandbox.create_guild("Lyceum")
    general = guild.create_text_channel("general", topic="hi")
    forum = guild.create_forum_channel("questions", tags=["python"])
    lounge = guild.create_voice_channel("lounge")
    pro = guild.create_role("Pro")
    alice = await guild.join("alice")
    await guild.give_role(alice, pro)
    first = await alice.say(general, "hello", files=[("notes.txt", b"hi")])
    await alice.say(general, f"again {guild.owner.mention}", reply_to=first)
    await alice.react(first, "👍")
    await alice.start_thread(first, "talk")
    await alice.create_post(forum, "How?", "question", tags=["python"])
    await alice.join_voice(lounge)
    await alice.leave_voice()
    interactions = sandbox.backend.interactions
    interactions.send(alice.user, general, 2, {"id": "1", "name": "ping", "type": 1})
    interactions.send(alice.user, general, 3, {"custom_id": "b", "component_type": 2}, first)
    await alice.leave()
    events = {e.name for e in sandbox.events}
    assert events >= set(DISPATCHED_BY_STATE), sorted(DISPATCHED_BY_STATE - events)
    assert _allowed([p for e in sandbox.events for p in check_dispatch(e.name, e.data)]) == []


DISPATCHED_BY_STATE = {
    "GUILD_CREATE",
    "CHANNEL_CREATE",
    "GUILD_ROLE_CREATE",
    "GUILD_MEMBER_ADD",
    "GUILD_MEMBER_UPDATE",
    "MESSAGE_CREATE",
    "MESSAGE_REACTION_ADD",
    "THREAD_CREATE",
    "VOICE_STATE_UPDATE",
    "INTERACTION_CREATE",
    "GUILD_MEMBER_REMOVE",
}


@pytest.mark.raw_client
async def test_every_route_of_the_sandbox_answers_as_the_spec_says(
    scene: tuple[DiscordSandbox, aiohttp.ClientSession],
) -> None:
    sandbox, http = scene
    guild = sandbox.create_guild("Lyceum")
    general = guild.create_text_channel("general")
    forum = guild.create_forum_channel("questions", tags=["python"])
    member_role = guild.create_role("Member")
    guild.edit_role(guild.bot_role, permissions=Perm.BOT | Perm.MANAGE_GUILD)
    guild.create_invite(general, code="spring")
    guild.set_vanity_url("lyceum")
    lounge = guild.create_voice_channel("lounge")
    alice = await guild.join("alice", invite="spring")
    g, c, app, user = guild.id, general.id, sandbox.application_id, alice.id
    live = {
        "name": "Office hours", "privacy_level": 2, "entity_type": 2,
        "channel_id": str(lounge.id), "scheduled_start_time": "2030-01-01T10:00:00+00:00",
    }  # fmt: skip
    command = {"name": "ping", "description": "Ping.", "type": 1, "options": []}
    steps: list[tuple[str, str, Any]] = [
        ("GET", "/users/@me", None),
        ("GET", f"/users/{user}", None),
        ("GET", "/oauth2/applications/@me", None),
        ("GET", "/gateway", None),
        ("GET", "/gateway/bot", None),
        ("PUT", f"/applications/{app}/commands", [command]),
        ("GET", f"/applications/{app}/commands", None),
        ("PUT", f"/applications/{app}/guilds/{g}/commands", [command]),
        ("GET", f"/applications/{app}/guilds/{g}/commands", None),
        ("GET", f"/guilds/{g}?with_counts=true", None),
        ("GET", f"/guilds/{g}/members?limit=10", None),
        ("GET", f"/guilds/{g}/members/{user}", None),
        ("PATCH", f"/guilds/{g}/members/{user}", {"nick": "al"}),
        ("PUT", f"/guilds/{g}/members/{user}/roles/{member_role.id}", None),
        ("DELETE", f"/guilds/{g}/members/{user}/roles/{member_role.id}", None),
        ("GET", f"/guilds/{g}/roles", None),
        ("POST", f"/guilds/{g}/roles", {"name": "Pro", "permissions": "0"}),
        ("PATCH", f"/guilds/{g}/roles/{member_role.id}", {"name": "Members"}),
        ("GET", f"/guilds/{g}/channels", None),
        ("GET", f"/guilds/{g}/invites", None),
        ("GET", f"/guilds/{g}/vanity-url", None),
        ("POST", f"/guilds/{g}/channels", {"name": "news", "type": 0}),
        ("GET", f"/channels/{c}", None),
        ("PATCH", f"/channels/{c}", {"name": "lobby"}),
        ("POST", f"/channels/{c}/typing", None),
        ("POST", f"/channels/{c}/messages", {"content": "hi", "components": BUTTONS}),
        ("GET", f"/channels/{c}/messages?limit=5", None),
        ("POST", f"/channels/{forum.id}/threads", FORUM_POST),
        ("POST", "/users/@me/channels", {"recipient_id": str(user)}),
        ("POST", f"/guilds/{g}/scheduled-events", live),
    ]
    for method, path, body in steps:
        await _request(http, method, path, body)
    message = sandbox.calls.last("POST /channels/{channel_id}/messages").answer["id"]
    on_message = f"/channels/{c}/messages/{message}"
    event = sandbox.calls.last("POST /guilds/{guild_id}/scheduled-events").answer["id"]
    for method, path, body in [
        ("GET", f"/guilds/{g}/scheduled-events/{event}/users?limit=100", None),
        ("GET", on_message, None),
        ("PATCH", on_message, {"content": "edited"}),
        ("PUT", f"{on_message}/reactions/%F0%9F%91%8D/@me", None),
        ("POST", f"{on_message}/threads", {"name": "talk"}),
        ("DELETE", on_message, None),
        ("DELETE", f"/guilds/{g}/roles/{member_role.id}", None),
    ]:
        await _request(http, method, path, body)
    await _answer_an_interaction(sandbox, http, alice.user, general)
    assert [c.status for c in sandbox.calls if c.status >= 300 and c.status != 429] == []
    untried = set(sandbox.routes) - {c.route for c in sandbox.calls}
    assert not untried, f"add a call to these new sandbox routes: {sorted(untried)}"
    assert _allowed([p for call in sandbox.calls for p in check_call(call)]) == []


BUTTONS = [{"type": 1, "components": [{"type": 2, "style": 1, "label": "Go", "custom_id": "go"}]}]
FORUM_POST = {"name": "How?", "message": {"content": "question"}, "applied_tags": []}


async def _request(http: aiohttp.ClientSession, method: str, path: str, body: Any) -> None:
    """One call; a 429 from the sandbox's rate limits is waited out and retried, as bots do."""
    for _ in range(5):
        async with http.request(method, f"/api/v10{path}", json=body) as response:
            if response.status != 429:
                return
            await asyncio.sleep(float((await response.json())["retry_after"]))


async def _answer_an_interaction(
    sandbox: DiscordSandbox, http: aiohttp.ClientSession, user: Any, channel: Any
) -> None:
    sent = sandbox.backend.interactions.send(user, channel, 2, {"id": "1", "name": "ping"})
    hook = f"/webhooks/{sandbox.application_id}/{sent.token}"
    callback = f"/interactions/{sent.id}/{sent.token}/callback?with_response=true"
    await _request(http, "POST", callback, {"type": 4, "data": {"content": "pong"}})
    await _request(http, "GET", f"{hook}/messages/@original", None)
    await _request(http, "PATCH", f"{hook}/messages/@original", {"content": "pong!"})
    await _request(http, "POST", f"{hook}?wait=true", {"content": "more", "flags": 64})
    followup = sandbox.calls.last("POST /webhooks/{application_id}/{interaction_token}").answer
    await _request(http, "GET", f"{hook}/messages/{followup['id']}", None)
    await _request(http, "PATCH", f"{hook}/messages/{followup['id']}", {"content": "less"})
    await _request(http, "DELETE", f"{hook}/messages/{followup['id']}", None)
    await _request(http, "DELETE", f"{hook}/messages/@original", None)


@pytest.mark.raw_client
async def test_a_modal_submits_answer_names_the_interaction_that_opened_the_modal(
    scene: tuple[DiscordSandbox, aiohttp.ClientSession],
) -> None:
    sandbox, http = scene
    guild = sandbox.create_guild("Lyceum")
    general = guild.create_text_channel("general")
    alice = await guild.join("alice")
    opened = sandbox.backend.interactions.send(alice.user, general, 2, {"id": "1", "name": "ask"})
    await _request(http, "POST", f"/interactions/{opened.id}/{opened.token}/callback", MODAL)
    modal = Reply(sandbox.state, opened).modal
    submitting = asyncio.create_task(alice.submit_modal(modal, {"q": "why?"}))
    submitted = await sandbox.wait_for(
        lambda: next((i for i in sandbox.state.interactions.values() if i.type == 5), None)
    )
    callback = f"/interactions/{submitted.id}/{submitted.token}/callback?with_response=true"
    await _request(http, "POST", callback, {"type": 4, "data": {"content": "thanks"}})
    await submitting
    answer = sandbox.calls.last().answer
    metadata = answer["resource"]["message"]["interaction_metadata"]
    assert metadata["triggering_interaction_metadata"]["id"] == str(opened.id)
    assert _allowed([p for call in sandbox.calls for p in check_call(call)]) == []


TEXT_INPUT = {"type": 4, "custom_id": "q", "label": "Question", "style": 1}
MODAL = {
    "type": 9,
    "data": {
        "custom_id": "ask",
        "title": "Ask",
        "components": [{"type": 1, "components": [TEXT_INPUT]}],
    },
}
