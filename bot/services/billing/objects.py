"""Reading the Stripe objects Lyceum acts on (plain dicts from webhooks or the API)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

Obj = Mapping[str, Any]


class InvalidPayload(ValueError):
    """A Stripe object lacks what Lyceum needs to act on it."""


def from_timestamp(value: Any) -> datetime | None:
    """A Unix timestamp as an aware UTC datetime (None stays None)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidPayload(f"expected a Unix timestamp, got {value!r}")
    return datetime.fromtimestamp(value, UTC)


def _id(value: Any) -> str | None:
    """An id field that may be expanded into an object."""
    if isinstance(value, Mapping):
        value = value.get("id")
    return value if isinstance(value, str) and value else None


def _str(obj: Obj, key: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value:
        raise InvalidPayload(f"missing {key!r}")
    return value


@dataclass(frozen=True)
class MemberRef:
    """Who paid, in which guild, for which tier (from our metadata)."""

    guild_id: int
    user_id: int
    tier_key: str | None


def member_ref(metadata: Any, client_reference_id: Any = None) -> MemberRef | None:
    """The member named by `metadata` {guild_id, user_id, tier} or `"<guild>:<user>"`."""
    meta = metadata if isinstance(metadata, Mapping) else {}
    tier = meta.get("tier") if isinstance(meta.get("tier"), str) and meta.get("tier") else None
    try:
        return MemberRef(int(meta["guild_id"]), int(meta["user_id"]), tier)
    except (KeyError, TypeError, ValueError):
        pass
    if isinstance(client_reference_id, str) and client_reference_id.count(":") == 1:
        guild, user = client_reference_id.split(":")
        if guild.isdigit() and user.isdigit():
            return MemberRef(int(guild), int(user), tier)
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
        raise InvalidPayload(f"expected a subscription, got {obj.get('object')!r}")
    items = (obj.get("items") or {}).get("data") or []
    ends = [item.get("current_period_end") for item in items if item.get("current_period_end")]
    first = items[0] if items else {}
    price = first.get("price") or {}
    recurring = price.get("recurring") or {}
    quantity = first.get("quantity") or 1
    amount = price.get("unit_amount")
    return SubscriptionState(
        id=_str(obj, "id"),
        customer_id=_id(obj.get("customer")),
        status=_str(obj, "status"),
        cancel_at_period_end=bool(obj.get("cancel_at_period_end")),
        cancel_at=from_timestamp(obj.get("cancel_at")),
        current_period_end=from_timestamp(max(ends)) if ends else None,
        price_id=_id(price),
        amount=amount * quantity if isinstance(amount, int) else None,
        currency=price.get("currency"),
        interval=recurring.get("interval"),
        interval_count=recurring.get("interval_count"),
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
    details = (obj.get("parent") or {}).get("subscription_details") or {}
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
        raise InvalidPayload(f"expected a checkout.session, got {obj.get('object')!r}")
    return CheckoutState(
        id=_str(obj, "id"),
        mode=_str(obj, "mode"),
        payment_status=str(obj.get("payment_status") or ""),
        customer_id=_id(obj.get("customer")),
        subscription_id=_id(obj.get("subscription")),
        payment_intent_id=_id(obj.get("payment_intent")),
        amount_total=obj.get("amount_total"),
        currency=obj.get("currency"),
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
        raise InvalidPayload(f"expected a charge, got {obj.get('object')!r}")
    amount, refunded = obj.get("amount") or 0, obj.get("amount_refunded") or 0
    return ChargeState(
        id=_str(obj, "id"),
        payment_intent_id=_id(obj.get("payment_intent")),
        customer_id=_id(obj.get("customer")),
        fully_refunded=bool(obj.get("refunded")) or (amount > 0 and refunded >= amount),
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
        raise InvalidPayload(f"expected a dispute, got {obj.get('object')!r}")
    return DisputeState(
        id=_str(obj, "id"),
        charge_id=_id(obj.get("charge")),
        payment_intent_id=_id(obj.get("payment_intent")),
        status=str(obj.get("status") or "needs_response"),
        reason=str(obj.get("reason") or "unknown"),
        amount=obj.get("amount"),
        currency=obj.get("currency"),
    )
