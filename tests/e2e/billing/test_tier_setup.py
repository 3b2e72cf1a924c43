"""Tier names, keys and price ids are bounded at input; a refused setup stores nothing."""

from __future__ import annotations

from sqlmodel import select

from sandbox.community import Community
from storage.audit.models import AuditEntry
from storage.billing import queries as billing
from storage.billing.models import Tier


async def stored(world: Community) -> tuple[list[str], int]:
    """The tier keys and how many `tiers.set` audit rows there are."""
    async with world.db.read() as session:
        keys = sorted(t.key for t in (await session.exec(select(Tier))).all())
        audits = (await session.exec(select(AuditEntry))).all()
    return keys, sum(1 for row in audits if row.action == "tiers.set")


async def setup_team(world: Community, name: str) -> str:
    supporters = world.guild.create_role("Supporters")
    reply = await world.owner.run("/setup tiers", key="team", name=name, price_id="price_team",
                                  role=supporters, kind="subscription")  # fmt: skip
    assert reply.ephemeral and len(reply.content) <= 2000
    return reply.content


async def test_a_101_character_name_is_refused_and_subscribe_keeps_working(
    community: Community,
) -> None:
    answer = await setup_team(community, "N" * 101)
    alice = await community.guild.join("alice")
    choices = await alice.autocomplete("/subscribe", "tier", "")

    assert "1 to 100 characters" in answer
    assert await stored(community) == (["lifetime", "pro"], 0)
    assert [c["value"] for c in choices] == ["lifetime", "pro"]


async def test_a_3000_character_name_is_refused_clearly_and_nothing_is_stored(
    community: Community,
) -> None:
    answer = await setup_team(community, "N" * 3000)
    assert "100 characters" in answer and "something went wrong" not in answer
    assert await stored(community) == (["lifetime", "pro"], 0)


async def test_a_100_character_name_is_saved_and_offered(community: Community) -> None:
    answer = await setup_team(community, "N" * 100)
    alice = await community.guild.join("alice")
    choices = await alice.autocomplete("/subscribe", "tier", "team")

    assert answer.startswith("Saved")
    assert choices == [{"name": "N" * 100, "value": "team"}]


async def test_a_long_name_stored_before_still_lets_subscribe_autocomplete(
    community: Community,
) -> None:
    async with community.db.transaction() as session:  # stored by an older version
        await billing.upsert_tier(session, community.guild.id, "legacy", name="L" * 3000,
                                  stripe_price_id="price_legacy", role_id=1,
                                  kind="subscription")  # fmt: skip
    alice = await community.guild.join("alice")

    choices = await alice.autocomplete("/subscribe", "tier", "leg")

    assert [c["value"] for c in choices] == ["legacy"]
    assert len(choices[0]["name"]) == 100


async def test_a_key_with_spaces_is_refused(community: Community) -> None:
    supporters = community.guild.create_role("Supporters")
    reply = await community.owner.run("/setup tiers", key="my tier", price_id="price_team",
                                      role=supporters, kind="one_time")  # fmt: skip
    assert reply.ephemeral and "short slug" in reply.content
    assert await stored(community) == (["lifetime", "pro"], 0)
