"""Reading the Stripe objects Lyceum acts on (plain dicts from webhooks or the API).

Every field is checked for the shape Stripe documents; anything else raises
`InvalidPayload`, so an odd object is set aside with the reason instead of failing later.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

Obj = Mapping[str, Any]

# Stripe ids are letters, digits and underscores; a little slack, nothing a URL or SQL minds.
_ID = re.compile(r"[A-Za-z0-9_\-.]{1,255}")
# Enum-like strings: statuses, modes, currencies, intervals, dispute reasons.
_WORD = re.compile(r"[a-z0-9_]{1,64}")
# Our own metadata values (a tier key): printable, short.
_LABEL = re.compile(r"[^\x00-\x1f\x7f]{1,100}")
_SNOWFLAKE_MAX = 2**63 - 1
_AMOUNT_MAX = 2**53  # far above any amount Stripe accepts (8 digits of minor units)
_COUNT_MAX = 1_000_000
# Unix seconds from 1970 to 2200: far beyond anything Stripe sends, well inside datetime.
_EARLIEST, _LATEST = 0, 7_258_118_400


class InvalidPayload(ValueError):
    """A Stripe object lacks what Lyceum needs to act on it."""


def shown(value: Any) -> str:
    """A short, safe rendering of a value for an error message."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 64:
        return f"an integer of {value.bit_length()} bits"
    if isinstance(value, Mapping | list | tuple):
        return f"a {type(value).__name__} of {len(value)} items"
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:57]}..."


def from_timestamp(value: Any) -> datetime | None:
    """A Unix timestamp as an aware UTC datetime (None stays None)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidPayload(f"expected a Unix timestamp, got {shown(value)}")
    if not _EARLIEST <= value <= _LATEST:  # also false for NaN
        raise InvalidPayload(f"timestamp out of range: {shown(value)}")
    return datetime.fromtimestamp(value, UTC)


def _mapping(obj: Obj, key: str) -> Obj:
    """A nested object (absent or null reads as empty)."""
    value = obj.get(key)
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InvalidPayload(f"{key!r} is not an object: {shown(value)}")
    return value


def _objects(obj: Obj, key: str) -> list[Obj]:
    """A nested list of objects (absent or null reads as empty)."""
    value = obj.get(key)
    if value is None:
        return []
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        raise InvalidPayload(f"{key!r} is not a list: {shown(value)}")
    if not all(isinstance(item, Mapping) for item in value):
        raise InvalidPayload(f"{key!r} holds something that is not an object")
    return list(value)


def _text(obj: Obj, key: str, pattern: re.Pattern[str] = _WORD) -> str | None:
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise InvalidPayload(f"{key!r} is not what Stripe sends: {shown(value)}")
    return value


def _str(obj: Obj, key: str, pattern: re.Pattern[str] = _WORD) -> str:
    value = _text(obj, key, pattern)
    if value is None:
        raise InvalidPayload(f"missing {key!r}")
    return value


def _int(obj: Obj, key: str, high: int, low: int = 0) -> int | None:
    value = obj.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidPayload(f"{key!r} is not a count Stripe sends: {shown(value)}")
    return value


def _flag(obj: Obj, key: str) -> bool:
    value = obj.get(key)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise InvalidPayload(f"{key!r} is not true or false: {shown(value)}")
    return value


def _id(value: Any) -> str | None:
    """An id field that may be expanded into an object."""
    if isinstance(value, Mapping):
        value = value.get("id")
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not _ID.fullmatch(value):
        raise InvalidPayload(f"not a Stripe id: {shown(value)}")
    return value


def _snowflake(value: Any, name: str) -> int:
    """A Discord id from metadata: a positive 64-bit integer, or ASCII digits of one."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 20:
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= _SNOWFLAKE_MAX:
        raise InvalidPayload(f"metadata {name} is not a Discord id: {shown(value)}")
    return value


@dataclass(frozen=True)
class MemberRef:
    """Who paid, in which guild, for which tier (from our metadata)."""

    guild_id: int
    user_id: int
    tier_key: str | None


def member_ref(metadata: Any, client_reference_id: Any = None) -> MemberRef | None:
    """The member named by `metadata` {guild_id, user_id, tier} or `"<guild>:<user>"`.

    Metadata that names a member wrongly (not Discord ids, a tier that is not text)
    raises `InvalidPayload`; metadata that names nobody gives None.
    """
    if metadata is not None and not isinstance(metadata, Mapping):
        raise InvalidPayload(f"'metadata' is not an object: {shown(metadata)}")
    meta = metadata or {}
    tier = _text(meta, "tier", _LABEL) if meta.get("tier") != "" else None
    if meta.get("guild_id") is not None and meta.get("user_id") is not None:
        guild = _snowflake(meta["guild_id"], "guild_id")
        return MemberRef(guild, _snowflake(meta["user_id"], "user_id"), tier)
    if isinstance(client_reference_id, str) and client_reference_id.count(":") == 1:
        guild_text, user_text = client_reference_id.split(":")
        try:
            return MemberRef(
                _snowflake(guild_text, "guild_id"), _snowflake(user_text, "user_id"), tier
            )
        except InvalidPayload:
            return None  # another integration's reference, not ours
    return None


@dataclass(frozen=True)
class SubscriptionState:
    """A subscription as far as access goes."""

    id: str
    customer_id: str | None
    status: str
    cancel_at_period_end: bool
    cancel_at: datetime | None
    current_period_end: datetime | None
    price_id: str | None
    amount: int | None
    currency: str | None
    interval: str | None
    interval_count: int | None
    member: MemberRef | None
    # When the unpaid invoice behind a `past_due` status was first attempted (a re-read with
    # `latest_invoice` expanded); None when the payload does not say.
    past_due_since: datetime | None = None

    @property
    def scheduled_end(self) -> datetime | None:
        """When access ends because the member canceled (None when it renews)."""
        if self.cancel_at is not None:
            return self.cancel_at
        return self.current_period_end if self.cancel_at_period_end else None


def parse_subscription(obj: Obj) -> SubscriptionState:
    """Read a `subscription` object (period ends live on its items)."""
    if obj.get("object") != "subscription":
        raise InvalidPayload(f"expected a subscription, got {shown(obj.get('object'))}")
    items = _objects(_mapping(obj, "items"), "data")
    ends = [from_timestamp(item.get("current_period_end")) for item in items]
    known_ends = [end for end in ends if end is not None]
    first: Obj = items[0] if items else {}
    price = _mapping(first, "price")
    recurring = _mapping(price, "recurring")
    quantity = _int(first, "quantity", _COUNT_MAX) or 1
    amount = _int(price, "unit_amount", _AMOUNT_MAX)
    return SubscriptionState(
        id=_str(obj, "id", _ID),
        customer_id=_id(obj.get("customer")),
        status=_str(obj, "status"),
        cancel_at_period_end=_flag(obj, "cancel_at_period_end"),
        cancel_at=from_timestamp(obj.get("cancel_at")),
        current_period_end=max(known_ends) if known_ends else None,
        price_id=_id(price),
        amount=amount * quantity if amount is not None else None,
        currency=_text(price, "currency"),
        interval=_text(recurring, "interval"),
        interval_count=_int(recurring, "interval_count", _COUNT_MAX, low=1),
        member=member_ref(obj.get("metadata")),
        past_due_since=_unpaid_since(obj.get("latest_invoice")),
    )


def _unpaid_since(invoice: Any) -> datetime | None:
    """When an expanded, still open invoice was finalized (its first attempt), else created."""
    if not isinstance(invoice, Mapping) or invoice.get("status") != "open":
        return None
    transitions = invoice.get("status_transitions")
    finalized = transitions.get("finalized_at") if isinstance(transitions, Mapping) else None
    return from_timestamp(finalized or invoice.get("created"))


def invoice_subscription(obj: Obj) -> tuple[str | None, MemberRef | None]:
    """An invoice's subscription id and the member named in that subscription's metadata."""
    details = _mapping(_mapping(obj, "parent"), "subscription_details")
    return _id(details.get("subscription")), member_ref(details.get("metadata"))


@dataclass(frozen=True)
class CheckoutState:
    """A completed Checkout Session."""

    id: str
    mode: str
    payment_status: str
    customer_id: str | None
    subscription_id: str | None
    payment_intent_id: str | None
    amount_total: int | None
    currency: str | None
    member: MemberRef | None


def parse_checkout(obj: Obj) -> CheckoutState:
    """Read a `checkout.session` object."""
    if obj.get("object") != "checkout.session":
        raise InvalidPayload(f"expected a checkout.session, got {shown(obj.get('object'))}")
    return CheckoutState(
        id=_str(obj, "id", _ID),
        mode=_str(obj, "mode"),
        payment_status=_text(obj, "payment_status") or "",
        customer_id=_id(obj.get("customer")),
        subscription_id=_id(obj.get("subscription")),
        payment_intent_id=_id(obj.get("payment_intent")),
        amount_total=_int(obj, "amount_total", _AMOUNT_MAX),
        currency=_text(obj, "currency"),
        member=member_ref(obj.get("metadata"), obj.get("client_reference_id")),
    )


@dataclass(frozen=True)
class ChargeState:
    """A charge: what was paid, what was refunded."""

    id: str
    payment_intent_id: str | None
    customer_id: str | None
    fully_refunded: bool
    member: MemberRef | None


def parse_charge(obj: Obj) -> ChargeState:
    """Read a `charge` object (it has no invoice link in current API versions)."""
    if obj.get("object") != "charge":
        raise InvalidPayload(f"expected a charge, got {shown(obj.get('object'))}")
    amount = _int(obj, "amount", _AMOUNT_MAX) or 0
    refunded = _int(obj, "amount_refunded", _AMOUNT_MAX) or 0
    return ChargeState(
        id=_str(obj, "id", _ID),
        payment_intent_id=_id(obj.get("payment_intent")),
        customer_id=_id(obj.get("customer")),
        fully_refunded=_flag(obj, "refunded") or (amount > 0 and refunded >= amount),
        member=member_ref(obj.get("metadata")),
    )


@dataclass(frozen=True)
class DisputeState:
    """A dispute opened on a charge."""

    id: str
    charge_id: str | None
    payment_intent_id: str | None
    status: str
    reason: str
    amount: int | None
    currency: str | None


def parse_dispute(obj: Obj) -> DisputeState:
    """Read a `dispute` object."""
    if obj.get("object") != "dispute":
        raise InvalidPayload(f"expected a dispute, got {shown(obj.get('object'))}")
    return DisputeState(
        id=_str(obj, "id", _ID),
        charge_id=_id(obj.get("charge")),
        payment_intent_id=_id(obj.get("payment_intent")),
        status=_text(obj, "status") or "needs_response",
        reason=_text(obj, "reason") or "unknown",
        amount=_int(obj, "amount", _AMOUNT_MAX),
        currency=_text(obj, "currency"),
    )
