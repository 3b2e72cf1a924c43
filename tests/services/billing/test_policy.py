"""The status policy as pure rules."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.services.billing.objects import SubscriptionState
from bot.services.billing.policy import Access, Previous, subscription_access

NOW = datetime(2026, 11, 23, 10, tzinfo=UTC)
GRACE = timedelta(days=3)
STATE = SubscriptionState(
    id="sub_1", customer_id="cus_1", status="active", cancel_at_period_end=False,
    cancel_at=None, current_period_end=NOW + timedelta(days=20), price_id="price_pro",
    amount=1500, currency="usd", interval="month", interval_count=1, member=None,
)  # fmt: skip


def access(
    status: str, *, previous: Previous | None = None, now: datetime = NOW, **changes: Any
) -> Access:
    state = replace(STATE, status=status, **changes)
    return subscription_access(state, now=now, since=NOW, grace=GRACE, previous=previous)


@pytest.mark.parametrize("status", ["active", "trialing"])
def test_active_and_trialing_give_access(status: str) -> None:
    assert access(status).active


@pytest.mark.parametrize("status", ["unpaid", "canceled", "incomplete_expired", "paused",
                                    "incomplete"])  # fmt: skip
def test_other_statuses_take_access_away(status: str) -> None:
    assert not access(status).active


def test_past_due_keeps_access_for_the_grace_period() -> None:
    result = access("past_due")
    assert result.active and result.grace_until == NOW + GRACE and result.notify_past_due


def test_past_due_after_the_grace_period_takes_access_away() -> None:
    previous = Previous("past_due", NOW + GRACE, NOW)
    assert not access("past_due", previous=previous, now=NOW + GRACE).active


def test_past_due_again_does_not_notify_twice_or_extend_grace() -> None:
    previous = Previous("past_due", NOW + timedelta(days=1), NOW - timedelta(days=2))
    result = access("past_due", previous=previous)
    assert not result.notify_past_due and result.grace_until == NOW + timedelta(days=1)


def test_cancel_at_period_end_keeps_access_until_then() -> None:
    end = NOW + timedelta(days=20)
    assert access("active", cancel_at_period_end=True).ends_at == end
    assert access("active", cancel_at_period_end=True).active
    assert not access("active", cancel_at_period_end=True, now=end).active
