"""The mention check itself: it flags what could ping and lets inert sends through."""

from __future__ import annotations

from typing import Any

from sandbox.discord.calls import Call
from tests.e2e.mention_check import CALLBACK, unsafe_sends

POST = "POST /channels/{channel_id}/messages"


def call(route: str, body: Any) -> Call:
    return Call(method=route.split()[0], path="/", route=route, params={}, json=body)


def test_a_post_without_allowed_mentions_is_flagged() -> None:
    assert unsafe_sends([call(POST, {"content": "hi @everyone"})])


def test_a_post_that_parses_everyone_is_flagged() -> None:
    body = {"content": "hi", "allowed_mentions": {"parse": ["everyone", "users"]}}
    assert unsafe_sends([call(POST, body)])


def test_an_interaction_reply_that_parses_users_is_flagged() -> None:
    body = {"type": 4, "data": {"content": "<@1>", "allowed_mentions": {"parse": ["users"]}}}
    assert unsafe_sends([call(CALLBACK, body)])


def test_a_post_that_names_the_one_user_it_pings_passes() -> None:
    body = {"content": "<@1> your question", "allowed_mentions": {"parse": [], "users": ["1"]}}
    assert unsafe_sends([call(POST, body)]) == []


def test_a_post_that_pings_nobody_passes() -> None:
    body = {"content": "@everyone hi", "allowed_mentions": {"parse": []}}
    assert unsafe_sends([call(POST, body)]) == []
