"""Billing queries on the real database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage.billing import queries as billing
from storage.billing.models import Entitlement
from storage.billing.queries import EventRow
from storage.database import Database
from storage.roles import queries as role_changes

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def event(event_id: str) -> EventRow:
    return EventRow(event_id, "invoice.paid", T0, False, {"id": event_id}, T0)


async def test_insert_events_reports_only_new_ids(db: Database) -> None:
    async with db.transaction() as session:
        assert await billing.insert_events(session, [event("evt_1"), event("evt_2")]) == {
            "evt_1", "evt_2",
        }  # fmt: skip
    async with db.transaction() as session:
        assert await billing.insert_events(session, [event("evt_2"), event("evt_3")]) == {"evt_3"}
    async with db.read() as session:
        assert await billing.count_events(session) == 3


async def test_a_new_role_change_supersedes_the_unfinished_one(db: Database) -> None:
    async with db.transaction() as session:
        await role_changes.queue_role_change(session, 1, 2, 3, "add", reason="x", at=T0)
        await role_changes.queue_role_change(session, 1, 2, 3, "remove", reason="y", at=T0)
    async with db.read() as session:
        [change] = await role_changes.unfinished_role_changes(session, 1, 2)
    assert change.action == "remove"


async def test_paid_change_is_an_interaction_with_the_price(db: Database) -> None:
    row = Entitlement(guild_id=1, user_id=2, tier_key="pro", status="active", active=True,
                      price_amount=1500, price_currency="usd", price_interval="month",
                      price_interval_count=1, updated_at=T0)  # fmt: skip
    async with db.transaction() as session:
        interaction = await billing.record_paid_change(session, row, started=True, at=T0)
    assert (interaction.kind, interaction.ref, interaction.at) == ("paid_start", "pro", T0)
    assert interaction.meta == {"source": "stripe", "amount": 1500, "currency": "usd",
                                "interval": "month", "interval_count": 1}  # fmt: skip


async def test_due_for_revocation_finds_ended_and_graceless_access(db: Database) -> None:
    async with db.transaction() as session:
        for user, ends, grace, status in (
            (1, T0 - timedelta(seconds=1), None, "active"),
            (2, T0 + timedelta(days=1), None, "active"),
            (3, None, T0 - timedelta(seconds=1), "past_due"),
            (4, None, T0 + timedelta(days=1), "past_due"),
        ):
            session.add(Entitlement(guild_id=1, user_id=user, tier_key="pro", status=status,
                                    active=True, ends_at=ends, grace_until=grace,
                                    updated_at=T0))  # fmt: skip
    async with db.read() as session:
        due = await billing.due_for_revocation(session, T0)
    assert sorted(row.user_id for row in due) == [1, 3]
