"""/privacy delete: personal data gone, the numbers identical, the second member untouched."""

from __future__ import annotations

import logging

import pytest
from sqlmodel import select

from bot.core.clock import FakeClock
from bot.services.privacy import PrivacyKey, PrivacyUnavailable
from storage.activity.models import Member
from storage.billing.models import Entitlement, StripeEvent
from storage.database import Database
from storage.privacy.models import PrivacyRequest
from tests.services.privacy.support import (
    ALICE,
    BOB,
    GUILD,
    NOW,
    SECRET,
    places_holding,
    reports,
    seed,
    services,
    settings,
)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)


async def test_every_weekly_number_is_the_same_after_a_deletion(
    db: Database, clock: FakeClock
) -> None:
    privacy, stats, _ = services(db, clock)
    await seed(db)
    before = await reports(stats)
    assert before["2026-W46"]["wau"] == 2 and before["2026-W46"]["paid"]["paying"] == 1

    await privacy.delete(GUILD, ALICE, stop_recording=True)

    assert await reports(stats) == before


async def test_the_numbers_stay_the_same_after_a_full_rebuild_too(
    db: Database, clock: FakeClock
) -> None:
    privacy, stats, _ = services(db, clock)
    await seed(db)
    before = await reports(stats)
    await privacy.delete(GUILD, ALICE, stop_recording=True)

    await stats.rebuild_rollups()

    assert await reports(stats) == before


async def test_the_member_id_is_found_nowhere_after_a_deletion_with_opt_out(
    db: Database, clock: FakeClock
) -> None:
    privacy, stats, _ = services(db, clock)
    await seed(db)
    await stats.refresh_rollups()
    assert await places_holding(db, ALICE)  # the search does find it before

    await privacy.delete(GUILD, ALICE, stop_recording=True)

    assert await places_holding(db, ALICE) == []


async def test_a_member_who_stays_is_known_again_only_from_the_deletion_on(
    db: Database, clock: FakeClock
) -> None:
    privacy, _, _ = services(db, clock)
    await seed(db)

    await privacy.delete(GUILD, ALICE, stop_recording=False)

    assert await places_holding(db, ALICE) == ["interactions.user_id", "members.user_id"]
    async with db.read() as session:
        again = (await session.exec(select(Member).where(Member.user_id == ALICE))).one()
    assert again.first_joined_at == NOW and again.interests == []


async def test_the_second_member_keeps_everything(db: Database, clock: FakeClock) -> None:
    privacy, _, _ = services(db, clock)
    await seed(db)
    before = await privacy.export(GUILD, BOB)

    await privacy.delete(GUILD, ALICE, stop_recording=True)

    # Only where Bob's rows named Alice (a reply to her) does the pseudonym stand instead.
    pseudonym = PrivacyKey(settings().privacy_secret).pseudonym(GUILD, ALICE)
    after = await privacy.export(GUILD, BOB)
    assert after.data == before.data.replace(str(ALICE).encode(), str(pseudonym).encode())
    assert str(ALICE).encode() in before.data


async def test_payment_records_stay_under_the_pseudonym_with_their_stripe_ids(
    db: Database, clock: FakeClock
) -> None:
    privacy, _, _ = services(db, clock)
    await seed(db)

    deleted = await privacy.delete(GUILD, ALICE, stop_recording=True)

    pseudonym = PrivacyKey(settings().privacy_secret).pseudonym(GUILD, ALICE)
    async with db.read() as session:
        row = (await session.exec(select(Entitlement))).one()
        event = (await session.exec(select(StripeEvent))).one()
    assert (row.user_id, row.stripe_customer_id, row.stripe_subscription_id) == (
        pseudonym, "cus_alice123", "sub_alice",
    )  # fmt: skip
    assert "alice@example.com" not in str(event.payload)
    assert event.payload["data"]["object"]["id"] == "cs_1"
    assert "law" in deleted.kept["entitlements"]


async def test_the_request_is_recorded_under_a_keyed_hash_with_its_completion(
    db: Database, clock: FakeClock
) -> None:
    privacy, _, _ = services(db, clock)
    await seed(db)

    deleted = await privacy.delete(GUILD, ALICE, stop_recording=False)

    async with db.read() as session:
        request = (await session.exec(select(PrivacyRequest))).one()
    assert request.subject == PrivacyKey(settings().privacy_secret).subject(GUILD, ALICE)
    assert (request.kind, request.completed_at, request.rows) == ("delete", NOW, deleted.rows)
    assert set(request.kept) >= {"entitlements", "audit_log"}


async def test_the_pseudonym_is_negative_and_never_a_real_id(
    db: Database, clock: FakeClock
) -> None:
    key = PrivacyKey(settings().privacy_secret)

    pseudonyms = {key.pseudonym(GUILD, user) for user in range(1, 2000)}

    assert len(pseudonyms) == 1999 and max(pseudonyms) < 0
    assert key.pseudonym(GUILD, ALICE) != key.pseudonym(GUILD + 1, ALICE)


async def test_without_the_secret_deletion_is_refused_and_nothing_changes(
    db: Database, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    privacy, _, _ = services(db, clock, settings(secret=""))
    await seed(db)
    before = await places_holding(db, ALICE)

    with caplog.at_level(logging.ERROR), pytest.raises(PrivacyUnavailable) as refused:
        await privacy.delete(GUILD, ALICE, stop_recording=False)

    assert "Nothing was deleted" in refused.value.user_message
    assert any("PRIVACY_SECRET is not set" in r.getMessage() for r in caplog.records)
    assert await places_holding(db, ALICE) == before


async def test_the_key_never_shows_itself() -> None:
    key = PrivacyKey(settings().privacy_secret)

    assert SECRET not in repr(key) + str(key) + repr(settings())
