"""The Discord sandbox checked against Discord's OpenAPI spec: REST calls and gateway dispatches.

`ContractRecorder.watch(sandbox)` records a sandbox's gateway dispatches; `problems()` then
checks every REST call (route in the spec, the bot's body, the sandbox's answer for that status)
and every object inside the dispatches, minus the `ALLOWED` disagreements.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sandbox.discord import DiscordSandbox
from sandbox.discord.calls import Call
from tests.e2e.discord_spec import Mismatch, Schema, check, component, inline, operation, resolve


@dataclass(frozen=True)
class Allowed:
    """A known disagreement: mismatches on `field` ("*": any) in a `where` containing `within`
    (and whose detail matches `detail`, a regex) pass."""

    field: str
    within: str
    reason: str
    detail: str = ""

    def covers(self, mismatch: Mismatch) -> bool:
        """Whether this entry excuses the mismatch."""
        return (
            self.field in ("*", mismatch.field)
            and self.within in mismatch.where
            and re.search(self.detail, mismatch.detail) is not None
        )


# Where the spec disagrees with Discord's docs or with what Discord really does. Keep it short:
# when the sandbox is simply wrong, fix the sandbox instead.
ALLOWED = (
    Allowed(
        "*",
        "request",
        "the spec's README: fields the docs type as strings (permissions, ...) may be ints in "
        "the spec, and the API takes int-parseable strings for them (discord.py sends strings)",
        detail=r"^'-?\d+' is not of type 'integer'",
    ),
    Allowed(
        "MessageAttachmentRequest.id",
        "request",
        "docs (reference#uploading-files) send new attachments as {'id': 0}, a number; the spec "
        "types every attachment id as a snowflake string (discord.py sends the number)",
    ),
    Allowed(
        "CreatePrivateChannelRequest.recipient_id",
        "request",
        "discord.py sends the user id as a JSON number, which Discord accepts; the spec only "
        "allows a snowflake string",
    ),
    Allowed(
        "MessageAllowedMentionsRequest.users",
        "request",
        "discord.py sends the allowed mentions' user ids as JSON numbers, which Discord accepts; "
        "the spec only allows snowflake strings",
    ),
    Allowed(
        "MessageAllowedMentionsRequest.roles",
        "request",
        "discord.py sends the allowed mentions' role ids as JSON numbers, which Discord accepts; "
        "the spec only allows snowflake strings",
    ),
    Allowed(
        "query.use_nested_fields",
        "POST /channels/{channel_id}/threads",
        "discord.py adds use_nested_fields=1 when it creates a forum post (a forum-beta leftover "
        "Discord ignores); neither docs nor spec list it",
    ),
    Allowed(
        "InteractionCallbackResponse.resource",
        "callback 200 answer",
        "docs (interactions/receiving-and-responding#interaction-callback-resource-object) give "
        "a resource for every callback type (5, 6, 8, 9 too); the spec's union has only 4, 7, 12",
    ),
    Allowed(
        "Error.code",
        "429 answer",
        "docs (topics/rate-limits#exceeding-a-rate-limit) make `code` optional in a 429 body "
        "('for some limits'); the spec requires it",
    ),
)


@dataclass(frozen=True)
class Target:
    """Objects at `selector` in an event's data must match a component (`"channel"`: by type)."""

    selector: str  # dotted keys; "[]" walks a list, "*" walks a map's values; "" is the data
    schema: str
    optional: frozenset[str] = frozenset()


def _partial(selector: str, schema: str, *optional: str) -> Target:
    return Target(selector, schema, frozenset(optional))


MEMBER_WITHOUT_USER = ("user",)
RESOLVED_MEMBER = ("user", "deaf", "mute")  # docs: resolved members omit user, deaf and mute
RESOLVED_CHANNEL = ("flags", "guild_id", "position")  # docs: partial channel
DISPATCH_TARGETS: dict[str, tuple[Target, ...]] = {
    "READY": (Target("user", "UserResponse"),),
    "RESUMED": (),
    "GUILD_CREATE": (
        Target("", "GuildResponse"),
        Target("members[]", "GuildMemberResponse"),
        Target("channels[]", "channel"),
        Target("threads[]", "channel"),
        _partial("voice_states[]", "VoiceStateResponse", "guild_id"),
    ),
    "GUILD_UPDATE": (Target("", "GuildResponse"),),
    "INVITE_CREATE": (Target("inviter", "UserResponse"),),
    "INVITE_DELETE": (),
    "GUILD_ROLE_CREATE": (Target("role", "GuildRoleResponse"),),
    "GUILD_ROLE_UPDATE": (Target("role", "GuildRoleResponse"),),
    "GUILD_ROLE_DELETE": (),
    "GUILD_MEMBER_ADD": (Target("", "GuildMemberResponse"),),
    "GUILD_MEMBER_UPDATE": (Target("", "GuildMemberResponse"),),
    "GUILD_MEMBER_REMOVE": (Target("user", "UserResponse"),),
    "GUILD_MEMBERS_CHUNK": (Target("members[]", "GuildMemberResponse"),),
    "CHANNEL_CREATE": (Target("", "channel"),),
    "CHANNEL_UPDATE": (Target("", "channel"),),
    "CHANNEL_DELETE": (Target("", "channel"),),
    "THREAD_CREATE": (Target("", "ThreadResponse"),),
    "THREAD_UPDATE": (Target("", "ThreadResponse"),),
    "MESSAGE_CREATE": (
        Target("", "MessageResponse"),
        _partial("member", "GuildMemberResponse", *MEMBER_WITHOUT_USER),
        _partial("mentions[].member", "GuildMemberResponse", *MEMBER_WITHOUT_USER),
    ),
    "MESSAGE_UPDATE": (
        Target("", "MessageResponse"),
        _partial("member", "GuildMemberResponse", *MEMBER_WITHOUT_USER),
    ),
    "MESSAGE_DELETE": (),
    "MESSAGE_REACTION_ADD": (
        Target("member", "GuildMemberResponse"),
        Target("emoji", "MessageReactionEmojiResponse"),
    ),
    "VOICE_STATE_UPDATE": (Target("", "VoiceStateResponse"),),
    "GUILD_SCHEDULED_EVENT_CREATE": (Target("", "scheduled_event"),),
    "GUILD_SCHEDULED_EVENT_USER_ADD": (),
    "INTERACTION_CREATE": (
        Target("member", "GuildMemberResponse"),
        Target("user", "UserResponse"),
        Target("channel", "channel"),
        Target("message", "MessageResponse"),
        Target("data.resolved.users.*", "UserResponse"),
        _partial("data.resolved.members.*", "GuildMemberResponse", *RESOLVED_MEMBER),
        Target("data.resolved.roles.*", "GuildRoleResponse"),
        _partial("data.resolved.channels.*", "channel", *RESOLVED_CHANNEL),
        Target("data.resolved.messages.*", "MessageResponse"),
        Target("data.resolved.attachments.*", "MessageAttachmentResponse"),
    ),
}
# docs (reference#boolean-query-strings): True, true or 1; False, false or 0
BOOLEAN_QUERY = {"true": True, "1": True, "false": False, "0": False}
THREAD_TYPES = {10, 11, 12}
PRIVATE_TYPES = {1: "PrivateChannelResponse", 3: "PrivateGroupChannelResponse"}


def _channel_schema(data: Any) -> str:
    kind = data.get("type") if isinstance(data, dict) else None
    if kind in THREAD_TYPES:
        return "ThreadResponse"
    return (
        PRIVATE_TYPES.get(kind, "GuildChannelResponse")
        if isinstance(kind, int)
        else ("GuildChannelResponse")
    )


EVENT_SCHEMAS = {
    1: "StageScheduledEventResponse",
    2: "VoiceScheduledEventResponse",
    3: "ExternalScheduledEventResponse",
}


def _event_schema(data: Any) -> str:
    kind = data.get("entity_type") if isinstance(data, dict) else None
    return (
        EVENT_SCHEMAS.get(kind, "ScheduledEventResponse")
        if isinstance(kind, int)
        else ("ScheduledEventResponse")
    )


def _select(data: Any, selector: str, at: str = "") -> Iterator[tuple[str, Any]]:
    """Every (path, object) the selector reaches; absent keys reach nothing."""
    if not selector:
        yield at, data
        return
    head, _, rest = selector.partition(".")
    key, walk_list = head.removesuffix("[]"), head.endswith("[]")
    if key == "*":
        for name, value in data.items() if isinstance(data, dict) else ():
            yield from _select(value, rest, f"{at}.{name}".lstrip("."))
        return
    if not isinstance(data, dict) or data.get(key) is None:
        return
    value, path = data[key], f"{at}.{key}".lstrip(".")
    if walk_list:
        for item in value if isinstance(value, list) else ():
            yield from _select(item, rest, f"{path}[]")
    else:
        yield from _select(value, rest, path)


def check_dispatch(event: str, data: Any) -> list[Mismatch]:
    """The objects inside one gateway dispatch against the spec's components."""
    targets = DISPATCH_TARGETS.get(event)
    if targets is None:
        return [Mismatch(event, "", "event", "no spec rule for it: add one to DISPATCH_TARGETS")]
    found = []
    for target in targets:
        for path, value in _select(data, target.selector):
            name = (
                _channel_schema(value) if target.schema == "channel"
                else _event_schema(value) if target.schema == "scheduled_event"
                else target.schema
            )  # fmt: skip
            where = f"{event} {path or 'data'}"
            found += check(component(name, optional=target.optional), value, where)
    return found


def _body_schema(spec: dict[str, Any], multipart: bool) -> Schema | None:
    content = resolve(spec).get("content") or {}
    for kind in (("multipart/form-data",) if multipart else ()) + ("application/json",):
        if kind in content:
            return inline(content[kind]["schema"])
    return None


def _response_spec(responses: dict[str, Any], status: int) -> dict[str, Any] | None:
    for key in (str(status), f"{status // 100}XX", "default"):
        if key in responses:
            return resolve(responses[key])
    return None


def _query_problems(call: Call, params: tuple[dict[str, Any], ...], where: str) -> list[Mismatch]:
    declared = {p["name"]: p for p in map(resolve, params) if p.get("in") == "query"}
    found = []
    for name, raw in call.params.items():
        if name not in declared:
            found.append(
                Mismatch(where, "", f"query.{name}", "no such query parameter in the spec")
            )
            continue
        schema = declared[name].get("schema", {})
        value: Any = raw
        if schema.get("type") == "integer" and raw.lstrip("-").isdigit():
            value = int(raw)
        elif schema.get("type") == "boolean" and raw.lower() in BOOLEAN_QUERY:
            value = BOOLEAN_QUERY[raw.lower()]
        found += check(inline(schema), value, f"{where} ?{name}")
    return found


def check_call(call: Call) -> list[Mismatch]:
    """One REST call: its route exists, the bot's body and the sandbox's answer fit the spec."""
    op = operation(call.method, call.path)
    where = f"{call.method} {call.path}"
    if op is None:
        return [Mismatch(where, "", "route", "no such route in Discord's spec")]
    found = []
    succeeded = 200 <= call.status < 300
    if succeeded:  # a rejected request may be malformed on purpose (the test checks the 4xx)
        found += _query_problems(call, op.parameters, op.name)
        found += _request_problems(call, op.spec.get("requestBody"), f"{op.name} request")
    if call.status >= 500:
        return found  # server errors (injected faults) are not described by the spec
    answer_spec = _response_spec(op.spec["responses"], call.status)
    where = f"{op.name} {call.status} answer"
    if answer_spec is None:
        return [*found, Mismatch(where, "", "status", "the spec lists no such status")]
    schema = _body_schema(answer_spec, multipart=False)
    if schema is None:
        if call.answer is not None:
            found.append(Mismatch(where, "", "body", "the spec says no body"))
        return found
    return found + check(schema, call.answer, where)


def _request_problems(call: Call, body_spec: Any, where: str) -> list[Mismatch]:
    if body_spec is None:
        if call.json is not None:
            return [Mismatch(where, "", "body", "the spec takes no body")]
        return []
    if call.json is None and not call.files:
        required = resolve(body_spec).get("required", False)
        return [Mismatch(where, "", "body", "the spec requires a body")] if required else []
    schema = _body_schema(body_spec, multipart=bool(call.files))
    return check(schema, call.json, where) if schema is not None else []


class ContractRecorder:
    """Watches sandboxes during a test; `problems()` lists what breaks Discord's contract."""

    def __init__(self) -> None:
        self.sandboxes: list[DiscordSandbox] = []
        self.dispatches: list[tuple[str, Any]] = []

    def watch(self, sandbox: DiscordSandbox) -> None:
        """Record this sandbox's gateway dispatches from now on (its calls are logged anyway)."""
        self.sandboxes.append(sandbox)
        sandbox.gateway.observers.append(self._dispatched)

    def _dispatched(self, event: str, data: dict[str, Any]) -> None:
        self.dispatches.append((event, json.loads(json.dumps(data))))

    def problems(self) -> list[Mismatch]:
        """Every mismatch not in ALLOWED, each reported once."""
        found: list[Mismatch] = []
        for sandbox in self.sandboxes:
            for call in sandbox.calls:
                found += check_call(call)
        for event, data in self.dispatches:
            found += check_dispatch(event, data)
        return list(dict.fromkeys(m for m in found if not any(a.covers(m) for a in ALLOWED)))
