"""Nothing the bot sends may ping from user text: every message it sends says so.

Each message body (post, edit, interaction reply, follow-up, forum post) must carry
`allowed_mentions` with an empty `parse`: @everyone, @here, and role or user mentions in
the text stay inert. A feature that pings someone on purpose names them in `users` or
`roles` (ids the bot chose), never by parsing text.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sandbox.discord.calls import Call

MESSAGE_ROUTES = {
    "POST /channels/{channel_id}/messages",
    "PATCH /channels/{channel_id}/messages/{message_id}",
    "POST /webhooks/{application_id}/{interaction_token}",
    "PATCH /webhooks/{application_id}/{interaction_token}/messages/@original",
    "PATCH /webhooks/{application_id}/{interaction_token}/messages/{message_id}",
}
FORUM_POST = "POST /channels/{channel_id}/threads"
CALLBACK = "POST /interactions/{interaction_id}/{interaction_token}/callback"
MESSAGE_CALLBACKS = {4, 7}  # CHANNEL_MESSAGE_WITH_SOURCE, UPDATE_MESSAGE


def message_bodies(route: str, body: Any) -> list[dict[str, Any]]:
    """The message payloads inside one recorded call's body."""
    if not isinstance(body, dict):
        return []
    if route in MESSAGE_ROUTES:
        return [body]
    if route == FORUM_POST and isinstance(body.get("message"), dict):
        return [body["message"]]
    if route == CALLBACK and body.get("type") in MESSAGE_CALLBACKS:
        data = body.get("data")
        return [data] if isinstance(data, dict) else []
    return []


def unsafe_sends(calls: Iterable[Call]) -> list[str]:
    """Calls whose message could ping from its text."""
    found = []
    for call in calls:
        for message in message_bodies(call.route, call.json):
            if not any(message.get(k) for k in ("content", "embeds")):
                continue  # nothing that could mention anyone (components only)
            allowed = message.get("allowed_mentions")
            if not isinstance(allowed, dict) or allowed.get("parse") not in ([], None):
                found.append(f"{call.route}: allowed_mentions={allowed!r}")
            elif "parse" not in allowed and not {"users", "roles"} & set(allowed):
                found.append(f"{call.route}: allowed_mentions={allowed!r} parses everything")
    return found
