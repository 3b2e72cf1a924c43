"""What the stand-in holds: objects by id, the events they caused, lists and expansion."""

from __future__ import annotations

import copy
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from .errors import ApiError, ScenarioError, resource_missing
from .forms import get_int, get_str
from .ids import IdFactory
from .templates import template
from .time import Clock, timestamp

log = logging.getLogger(__name__)

Obj = dict[str, Any]


class EventSink(Protocol):
    """Where new events go (the webhook sender)."""

    def pending_for(self, event_type: str) -> int:
        """How many endpoints will receive an event of this type."""
        ...

    def enqueue(self, event: Obj) -> None:
        """Deliver this event to every endpoint that wants it."""
        ...


@dataclass(frozen=True)
class Outcome:
    """What a scenario did: the events it sent, in order, and the ids involved."""

    events: tuple[Obj, ...] = ()
    session_id: str | None = None
    customer_id: str | None = None
    subscription_id: str | None = None
    invoice_id: str | None = None
    payment_intent_id: str | None = None
    charge_id: str | None = None
    refund_id: str | None = None
    dispute_id: str | None = None

    @property
    def types(self) -> list[str]:
        """The event types, in the order they were sent."""
        return [event["type"] for event in self.events]


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> Obj:
    """Stripe's `previous_attributes`: the old values of what changed (hashes recursively)."""
    changed: Obj = {}
    for key, old in before.items():
        new = after.get(key)
        if old == new:
            continue
        if isinstance(old, dict) and isinstance(new, dict):
            changed[key] = diff(old, new)
        else:
            changed[key] = old
    for key in after.keys() - before.keys():
        changed[key] = None
    return changed


class StripeState:
    """Every object by id (ids are unique across kinds), plus the events made so far."""

    def __init__(self, *, clock: Clock, ids: IdFactory, api_version: str) -> None:
        self.clock = clock
        self.ids = ids
        self.api_version = api_version
        self.objects: dict[str, Obj] = {}
        self.checkout_items: dict[str, list[Obj]] = {}
        self.events: list[Obj] = []
        self.sink: EventSink | None = None
        self.silent = False

    def now(self) -> int:
        """The sandbox clock as a Unix timestamp."""
        return timestamp(self.clock)

    def put(self, obj: Obj) -> Obj:
        """Store (or replace) an object under its id."""
        self.objects[obj["id"]] = obj
        return obj

    def find(self, obj_id: str, object_type: str) -> Obj | None:
        """The object with this id and `object` type, if any."""
        obj = self.objects.get(obj_id)
        return obj if obj is not None and obj["object"] == object_type else None

    def require(self, obj_id: str, object_type: str) -> Obj:
        """The object, or a ScenarioError naming what is missing."""
        obj = self.find(obj_id, object_type)
        if obj is None:
            raise ScenarioError(f"no {object_type} {obj_id!r} in the Stripe sandbox")
        return obj

    def fetch(self, obj_id: str, object_type: str) -> Obj:
        """The object, or Stripe's 404 `resource_missing`."""
        obj = self.find(obj_id, object_type)
        if obj is None:
            raise resource_missing(object_type, obj_id)
        return obj

    def all_of(self, object_type: str) -> list[Obj]:
        """Every object of a type, newest first (as Stripe lists them)."""
        found = [obj for obj in reversed(self.objects.values()) if obj["object"] == object_type]
        return sorted(found, key=lambda obj: -obj["created"])

    def emit(
        self,
        event_type: str,
        obj: Obj,
        *,
        previous: Obj | None = None,
        request: bool = False,
    ) -> Obj | None:
        """Record an event with a snapshot of `obj` and send it; None while silent."""
        if self.silent:
            log.debug("silent: no %s event for %s", event_type, obj["id"])
            return None
        data: Obj = {"object": copy.deepcopy(obj)}
        if previous is not None:
            data["previous_attributes"] = copy.deepcopy(previous)
        event = template("event")
        event.update(
            id=self.ids.new("evt"),
            api_version=self.api_version,
            created=self.now(),
            data=data,
            livemode=False,
            pending_webhooks=self.sink.pending_for(event_type) if self.sink else 0,
            request={
                "id": self.ids.new("req") if request else None,
                "idempotency_key": self.ids.random(32) if request else None,
            },
            type=event_type,
        )
        self.events.append(event)
        self.put(event)  # `GET /v1/events/{id}` finds it
        log.info("event %s %s for %s", event["id"], event_type, obj["id"])
        if self.sink is not None:
            self.sink.enqueue(event)
        return event

    def page(
        self, items: list[Obj], params: Mapping[str, Any], *, url: str, object_type: str
    ) -> Obj:
        """One page of a list, with Stripe's `limit`, `starting_after`, `ending_before`."""
        limit = get_int(params, "limit", minimum=1, maximum=100) or 10
        after = get_str(params, "starting_after")
        before = get_str(params, "ending_before")
        ids = [item["id"] for item in items]
        window: list[Obj]
        cursor = after or before
        if cursor is not None and cursor not in ids:
            if cursor not in self.objects:
                param = "starting_after" if after else "ending_before"
                raise resource_missing(object_type, cursor, param=param)
            window, has_more = [], False  # an object this filter does not list
        elif after is not None:
            start = ids.index(after) + 1
            window, has_more = items[start : start + limit], start + limit < len(items)
        elif before is not None:
            end = ids.index(before)
            window, has_more = items[max(0, end - limit) : end], end - limit > 0
        else:
            window, has_more = items[:limit], len(items) > limit
        return {"object": "list", "data": window, "has_more": has_more, "url": url}

    def expand(self, obj: Obj, paths: list[Any]) -> Obj:
        """A copy of `obj` with each `expand[]` path's ids replaced by their objects."""
        result = copy.deepcopy(obj)
        for path in paths:
            if not isinstance(path, str) or path.count(".") > 3:
                raise ApiError(400, f"Invalid expand path: {path!r}", param="expand")
            self._expand(result, path.split("."), path)
        return result

    def _expand(self, node: Any, parts: list[str], path: str) -> None:
        if isinstance(node, list):
            for element in node:
                self._expand(element, parts, path)
            return
        key, rest = parts[0], parts[1:]
        if (
            isinstance(node, dict)
            and key == "line_items"
            and node.get("object") == "checkout.session"
        ):
            items = self.checkout_items.get(node["id"], [])
            node[key] = {
                "object": "list",
                "data": copy.deepcopy(items),
                "has_more": False,
                "url": f"/v1/checkout/sessions/{node['id']}/line_items",
            }
        if not isinstance(node, dict) or key not in node:
            raise ApiError(400, f"This property cannot be expanded ({path}).", param="expand")
        value = node[key]
        if isinstance(value, str):
            target = self.objects.get(value)
            if target is None:
                raise ApiError(400, f"This property cannot be expanded ({path}).", param="expand")
            value = node[key] = copy.deepcopy(target)
        if rest and value is not None:
            self._expand(value, rest, path)
