"""/privacy export: one JSON file with every feature's rows about the member."""

from __future__ import annotations

import io
import json
import zipfile

from bot.core.clock import FakeClock
from bot.features import FEATURES
from storage.database import Database
from tests.services.privacy.support import ALICE, BOB, GUILD, NOW, seed, services


async def test_the_export_holds_every_features_rows_about_the_member(db: Database) -> None:
    privacy, _, _ = services(db, FakeClock(NOW))
    await seed(db)

    data = json.loads((await privacy.export(GUILD, ALICE)).data)

    features = data["features"]
    assert set(features) == {f.name for f in FEATURES if f.privacy} | {"privacy"}
    assert features["activity"]["member"][0]["interests"] == ["python"]
    assert len(features["activity"]["interactions"]) == 5 * 16 + 3  # + join, onboarded, paid
    assert features["billing"]["entitlements"][0]["stripe_customer_id"] == "cus_alice123"
    assert features["onboarding"]["onboarding_members"][0]["user_id"] == ALICE
    assert {r["action"] for r in features["audit"]["about_member"]} == {"membership.grant"}
    assert len(features["roles"]["billing_notices"]) == 1


async def test_the_export_holds_nothing_of_another_member(db: Database) -> None:
    privacy, _, _ = services(db, FakeClock(NOW))
    await seed(db)

    data = (await privacy.export(GUILD, ALICE)).data

    assert str(BOB).encode() not in data


async def test_the_export_lists_the_members_own_privacy_requests(db: Database) -> None:
    privacy, _, _ = services(db, FakeClock(NOW))
    await seed(db)
    await privacy.delete(GUILD, ALICE, stop_recording=False)

    data = json.loads((await privacy.export(GUILD, ALICE)).data)

    [request] = data["features"]["privacy"]["requests"]
    assert request["kind"] == "delete" and request["completed_at"] is not None


async def test_an_export_too_big_for_discord_comes_zipped(db: Database) -> None:
    privacy, _, _ = services(db, FakeClock(NOW))
    await seed(db)
    plain = await privacy.export(GUILD, ALICE)

    zipped = await privacy.export(GUILD, ALICE, size_limit=len(plain.data) - 1)

    assert zipped.filename == f"{plain.filename}.zip"
    with zipfile.ZipFile(io.BytesIO(zipped.data)) as archive:
        assert archive.read(plain.filename) == plain.data
