"""Reading a verified webhook body into the row to store, or a reason to answer 400.

A body can be signed and still unusable: nested far deeper than any event, holding
NaN or half a surrogate pair (no database stores those), or not an event at all.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from bot.services.billing.apply import HANDLED_EVENTS
from bot.services.billing.objects import InvalidPayload, from_timestamp
from storage.billing.queries import EventRow

# Stripe's events nest about ten levels; far deeper is not an event we can use.
MAX_DEPTH = 64
_EVENT_ID = re.compile(r"[A-Za-z0-9_\-.]{1,255}")
_EVENT_TYPE = re.compile(r"[A-Za-z0-9_\-.]{1,255}")
_SURROGATE = re.compile("[\ud800-\udfff]")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _refuse_constant(name: str) -> None:
    raise ValueError(f"the body holds {name}, which JSON does not allow")


_DECODER = json.JSONDecoder(parse_constant=_refuse_constant)


def _too_deep(payload: Any) -> bool:
    """True when objects and arrays nest deeper than MAX_DEPTH (level by level, no recursion)."""
    level: list[Any] = [payload]
    depth = 0
    while level:
        depth += 1
        if depth > MAX_DEPTH:
            return True
        below: list[Any] = []
        for value in level:
            for item in value.values() if type(value) is dict else value:
                if type(item) is dict or type(item) is list:
                    below.append(item)
        level = below
    return False


def _has_lone_surrogate(payload: object) -> bool:
    """True when a key or string holds half a surrogate pair (storing it would fail)."""
    stack = [payload]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            if _SURROGATE.search(value):
                return True
        elif isinstance(value, dict):
            stack.extend(value)
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return False


def _check_tree(body: str, payload: object) -> None:
    """Refuse JSON nested deeper than MAX_DEPTH or holding text that is not Unicode."""
    # Cheap tests on the text first: most events need neither walk.
    containers = body.count("{") + body.count("[")
    if containers > MAX_DEPTH and _too_deep(payload):
        raise ValueError(f"the body is nested deeper than {MAX_DEPTH} levels")
    # A lone surrogate can only come from a \uD800-\uDFFF escape (the text is UTF-8).
    if _SURROGATE_ESCAPE.search(body) and _has_lone_surrogate(payload):
        raise ValueError("the body holds text that is not valid Unicode")


def event_row(body: str, received: datetime) -> EventRow:
    """The row to store for a verified body; ValueError says why it is not a usable event."""
    try:
        payload = _DECODER.decode(body)
    except RecursionError:
        raise ValueError(f"the body is nested deeper than {MAX_DEPTH} levels") from None
    _check_tree(body, payload)
    if not isinstance(payload, dict):
        raise ValueError("the body is not a JSON object")
    event_id, event_type, created = payload.get("id"), payload.get("type"), payload.get("created")
    data = payload.get("data")
    if not (isinstance(event_id, str) and event_id and isinstance(event_type, str) and event_type):
        raise ValueError("the body is not a Stripe event (no id or type)")
    if not (_EVENT_ID.fullmatch(event_id) and _EVENT_TYPE.fullmatch(event_type)):
        raise ValueError("the body is not a Stripe event (its id or type is malformed)")
    if not isinstance(data, dict) or not isinstance(data.get("object"), dict):
        raise ValueError("the body is not a Stripe event (no data.object)")
    try:
        moment = from_timestamp(created) if isinstance(created, int) else None
    except InvalidPayload as error:
        raise ValueError(f"the body is not a Stripe event (created: {error})") from None
    if moment is None:
        raise ValueError("the body is not a Stripe event (no created time)")
    # Types nothing acts on are stored already applied: kept, but no work for the worker.
    processed = None if event_type in HANDLED_EVENTS else received
    return EventRow(
        event_id, event_type, moment, bool(payload.get("livemode")), payload, received, processed
    )
