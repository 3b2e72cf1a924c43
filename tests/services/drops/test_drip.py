"""Drip: N days after the member's join or paid start; a date wins when both are set."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bot.services.drops.core import drip_unlocks_at
from storage.drops.models import ContentItem

JOINED = datetime(2026, 11, 1, tzinfo=UTC)
PAID = datetime(2026, 11, 10, tzinfo=UTC)


def _item(**fields: Any) -> ContentItem:
    return ContentItem(guild_id=1, title="t", created_by=1, created_at=JOINED, **fields)


def test_drip_counts_days_from_the_join() -> None:
    assert drip_unlocks_at(_item(drip_days=7), JOINED, PAID) == JOINED + timedelta(days=7)


def test_drip_can_count_from_the_paid_start() -> None:
    item = _item(drip_days=7, drip_from="paid")
    assert drip_unlocks_at(item, JOINED, PAID) == PAID + timedelta(days=7)


def test_a_member_who_never_paid_never_unlocks_a_paid_drip() -> None:
    assert drip_unlocks_at(_item(drip_days=7, drip_from="paid"), JOINED, None) is None


def test_the_date_wins_over_the_drip() -> None:
    date = datetime(2026, 12, 24, tzinfo=UTC)
    assert drip_unlocks_at(_item(drip_days=1, unlock_at=date), JOINED, PAID) == date
