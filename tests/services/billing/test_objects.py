"""Reading Stripe's published object fixtures (tests/fixtures/stripe, see PROVENANCE.md)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.services.billing.objects import (
    InvalidPayload,
    MemberRef,
    invoice_subscription,
    member_ref,
    parse_charge,
    parse_checkout,
    parse_subscription,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "stripe"


def fixture(name: str) -> dict[str, Any]:
    stripe_object: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text())
    return stripe_object


def test_subscription_period_end_comes_from_its_items() -> None:
    obj = fixture("subscription")
    state = parse_subscription(obj)
    end = obj["items"]["data"][0]["current_period_end"]
    assert state.current_period_end == datetime.fromtimestamp(end, UTC)
    assert (state.price_id, state.amount, state.interval) == (
        "price_1PgafmB7WZ01zgkW6dKueIc5", 2000, "month",
    )  # fmt: skip


def test_invoice_subscription_comes_from_its_parent() -> None:
    subscription, member = invoice_subscription(fixture("invoice"))
    assert subscription == "subscription" and member is None


def test_charge_without_invoice_reads() -> None:
    charge = parse_charge(fixture("charge"))
    assert charge.id == "ch_1PgafuB7WZ01zgkWXYmPNZs8" and not charge.fully_refunded


def test_open_checkout_session_reads() -> None:
    checkout = parse_checkout(fixture("checkout.session"))
    assert (checkout.mode, checkout.payment_status, checkout.member) == ("payment", "unpaid", None)


def test_member_comes_from_metadata_or_client_reference() -> None:
    assert member_ref({"guild_id": "1", "user_id": "2", "tier": "pro"}) == MemberRef(1, 2, "pro")
    assert member_ref({}, "1:2") == MemberRef(1, 2, None)
    assert member_ref({"guild_id": "x"}, "nonsense") is None


def test_wrong_object_is_refused() -> None:
    with pytest.raises(InvalidPayload):
        parse_subscription(fixture("charge"))
