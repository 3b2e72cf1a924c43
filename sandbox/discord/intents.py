"""Gateway intents: which events a session receives, and what MESSAGE_CONTENT hides."""

from __future__ import annotations

from typing import Any


class Intent:
    """Intent bits (developers/events/gateway#gateway-intents)."""

    GUILDS = 1 << 0
    GUILD_MEMBERS = 1 << 1
    GUILD_INVITES = 1 << 6
    GUILD_VOICE_STATES = 1 << 7
    GUILD_MESSAGES = 1 << 9
    GUILD_MESSAGE_REACTIONS = 1 << 10
    DIRECT_MESSAGES = 1 << 12
    DIRECT_MESSAGE_REACTIONS = 1 << 13
    MESSAGE_CONTENT = 1 << 15
    GUILD_SCHEDULED_EVENTS = 1 << 16


GUILD_EVENTS = {
    "GUILD_CREATE",
    "GUILD_UPDATE",
    "GUILD_ROLE_CREATE",
    "GUILD_ROLE_UPDATE",
    "GUILD_ROLE_DELETE",
    "CHANNEL_CREATE",
    "CHANNEL_UPDATE",
    "CHANNEL_DELETE",
    "THREAD_CREATE",
    "THREAD_UPDATE",
}
MEMBER_EVENTS = {"GUILD_MEMBER_ADD", "GUILD_MEMBER_UPDATE", "GUILD_MEMBER_REMOVE"}
MESSAGE_EVENTS = {"MESSAGE_CREATE", "MESSAGE_UPDATE", "MESSAGE_DELETE"}
HIDDEN_WITHOUT_CONTENT = {"content": "", "embeds": [], "attachments": [], "components": []}


def required_intent(event: str, data: dict[str, Any]) -> int:
    """The intent an event needs (0: always sent)."""
    in_guild = "guild_id" in data
    if event in GUILD_EVENTS:
        return Intent.GUILDS
    if event in MEMBER_EVENTS:
        return Intent.GUILD_MEMBERS
    if event in ("INVITE_CREATE", "INVITE_DELETE"):
        return Intent.GUILD_INVITES
    if event == "VOICE_STATE_UPDATE":
        return Intent.GUILD_VOICE_STATES
    if event.startswith("GUILD_SCHEDULED_EVENT_"):
        return Intent.GUILD_SCHEDULED_EVENTS
    if event in MESSAGE_EVENTS:
        return Intent.GUILD_MESSAGES if in_guild else Intent.DIRECT_MESSAGES
    if event == "MESSAGE_REACTION_ADD":
        return Intent.GUILD_MESSAGE_REACTIONS if in_guild else Intent.DIRECT_MESSAGE_REACTIONS
    return 0


def adapt_for_intents(
    event: str, data: dict[str, Any], intents: int, bot_id: int
) -> dict[str, Any] | None:
    """The event as a session with these intents sees it, or None when it is not sent."""
    needed = required_intent(event, data)
    if needed and not intents & needed:
        return None
    if event == "GUILD_CREATE" and not intents & Intent.GUILD_MEMBERS:
        return {**data, "members": [m for m in data["members"] if m["user"]["id"] == str(bot_id)]}
    if event in ("MESSAGE_CREATE", "MESSAGE_UPDATE") and not intents & Intent.MESSAGE_CONTENT:
        author = data.get("author", {}).get("id")
        mentioned = any(u["id"] == str(bot_id) for u in data.get("mentions", []))
        if "guild_id" in data and author != str(bot_id) and not mentioned:
            return {**data, **HIDDEN_WITHOUT_CONTENT}
    return data
