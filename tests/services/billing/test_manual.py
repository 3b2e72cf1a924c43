"""Moderators: manual grants with end dates, revocations, lookups, tiers — all audited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.core.access import Permission
from bot.core.errors import InvalidInput, NotAllowed, NotFound
from bot.services.roles import RoleFacts
from storage.audit import queries as audit
from storage.billing import queries
from tests.services.billing.support import (
    BOT_TOP,
    GUILD,
    MANAGER,
    MEMBER,
    MOD,
    MOD_LOG,
    PRO_ROLE,
    Billing,
    buy,
    harmless_role,
)

USER = 600


async def test_manual_grant_gives_the_role_and_is_audited(billing: Billing) -> None:
    billing.discord.join(USER)
    view = await billing.service.grant(GUILD, MOD, USER, "pro")
    await billing.service.outbox.run_once()
    assert view.active and view.source == "manual" and view.ends_at is None
    assert PRO_ROLE in billing.discord.roles_of(USER)
    async with billing.db.read() as session:
        [entry] = await audit.audit_entries(session, GUILD)
    assert (entry.action, entry.actor_id, entry.target_user_id) == ("membership.grant", 9, USER)


async def test_manual_grant_ends_on_its_end_date(billing: Billing) -> None:
    billing.discord.join(USER)
    view = await billing.service.grant(GUILD, MOD, USER, "pro", until="30d")
    await billing.service.outbox.run_once()
    assert view.ends_at == billing.clock.now() + timedelta(days=30)
    billing.clock.advance(timedelta(days=30, seconds=1))
    assert await billing.service.run_due_checks() == 1
    await billing.service.outbox.run_once()
    assert PRO_ROLE not in billing.discord.roles_of(USER)


def test_end_date_accepts_a_day() -> None:
    from bot.services.billing.moderation import parse_until

    now = datetime(2026, 11, 23, 10, tzinfo=UTC)
    assert parse_until("2026-12-31", now) == datetime(2027, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize("until", ["tomorrow", "2026-02-30", "2020-01-01", "0d"])
async def test_bad_end_date_is_refused(billing: Billing, until: str) -> None:
    with pytest.raises(InvalidInput):
        await billing.service.grant(GUILD, MOD, USER, "pro", until=until)
    async with billing.db.read() as session:
        assert await queries.entitlements_of_member(session, GUILD, USER) == []


async def test_members_cannot_grant(billing: Billing) -> None:
    with pytest.raises(NotAllowed):
        await billing.service.grant(GUILD, MEMBER, USER, "pro")


async def test_unknown_tier_is_refused(billing: Billing) -> None:
    with pytest.raises(NotFound):
        await billing.service.grant(GUILD, MOD, USER, "platinum")


async def test_revoke_takes_a_paid_tier_away(billing: Billing) -> None:
    billing.discord.join(USER)
    await buy(billing, USER)
    await billing.settle()
    views = await billing.service.revoke(GUILD, MOD, USER, "pro")
    await billing.service.outbox.run_once()
    assert [(v.source, v.status, v.active) for v in views] == [("stripe", "revoked", False)]
    assert PRO_ROLE not in billing.discord.roles_of(USER)


async def test_revoking_what_the_member_does_not_have_is_refused(billing: Billing) -> None:
    with pytest.raises(NotFound):
        await billing.service.revoke(GUILD, MOD, USER, "pro")


async def test_lookup_lists_every_source(billing: Billing) -> None:
    billing.discord.join(USER)
    await buy(billing, USER)
    await billing.settle()
    await billing.service.grant(GUILD, MOD, USER, "lifetime")
    views = await billing.service.lookup(GUILD, MOD, USER)
    assert sorted((v.tier, v.source, v.active) for v in views) == [
        ("lifetime", "manual", True),
        ("pro", "stripe", True),
    ]


async def test_new_tier_from_setup_is_offered(billing: Billing) -> None:
    await billing.service.set_tier(GUILD, MANAGER, "team", name="Team", price_id="price_team",
                                   role=harmless_role(333), bot_top_position=BOT_TOP,
                                   kind="subscription")  # fmt: skip
    choices = await billing.service.tier_choices(GUILD, "te")
    assert [(c.key, c.name) for c in choices] == [("team", "Team")]


async def test_new_tier_needs_a_price_and_a_role(billing: Billing) -> None:
    with pytest.raises(InvalidInput):
        await billing.service.set_tier(GUILD, MANAGER, "team", name="Team")


async def test_disabled_tier_is_not_offered(billing: Billing) -> None:
    await billing.service.set_tier(GUILD, MANAGER, "pro", enabled=False)
    assert [c.key for c in await billing.service.tier_choices(GUILD)] == ["lifetime"]
    with pytest.raises(NotFound):
        await billing.service.checkout_link(GUILD, USER, "pro")


async def test_end_date_on_the_last_day_of_the_calendar_is_refused(billing: Billing) -> None:
    with pytest.raises(InvalidInput, match="9999-12-31"):
        await billing.service.grant(GUILD, MOD, USER, "pro", until="9999-12-31")
    async with billing.db.read() as session:
        assert await queries.entitlements_of_member(session, GUILD, USER) == []


async def tier_rows_and_audits(billing: Billing) -> tuple[list[str], int]:
    async with billing.db.read() as session:
        tiers = await queries.tiers(session, GUILD, enabled_only=False)
        audits = await audit.audit_entries(session, GUILD)
    return sorted(t.key for t in tiers), sum(1 for a in audits if a.action == "tiers.set")


async def test_moderators_cannot_set_up_tiers(billing: Billing) -> None:
    with pytest.raises(NotAllowed, match="Manage Server"):
        await billing.service.set_tier(
            GUILD, MOD, "x", price_id="price_x", role=harmless_role(333), bot_top_position=BOT_TOP
        )
    assert await tier_rows_and_audits(billing) == (["lifetime", "pro"], 0)


async def test_a_tier_role_with_admin_powers_is_refused_and_nothing_is_stored(
    billing: Billing,
) -> None:
    admin = RoleFacts(444, 5, permissions=int(Permission.ADMINISTRATOR))
    with pytest.raises(InvalidInput, match="Administrator"):
        await billing.service.set_tier(GUILD, MANAGER, "x", price_id="price_x", role=admin,
                                       bot_top_position=BOT_TOP, kind="one_time")  # fmt: skip
    assert await tier_rows_and_audits(billing) == (["lifetime", "pro"], 0)


async def test_grant_refuses_a_tier_whose_role_gained_powers(billing: Billing) -> None:
    billing.discord.join(USER)
    billing.discord.role_facts[PRO_ROLE] = RoleFacts(PRO_ROLE, 1, permissions=int(
        Permission.KICK_MEMBERS))  # fmt: skip
    with pytest.raises(InvalidInput, match="Kick Members"):
        await billing.service.grant(GUILD, MOD, USER, "pro")
    async with billing.db.read() as session:
        assert await queries.entitlements_of_member(session, GUILD, USER) == []


async def test_the_outbox_holds_back_a_role_that_gained_powers_and_tells_moderators(
    billing: Billing,
) -> None:
    billing.discord.join(USER)
    await billing.service.grant(GUILD, MOD, USER, "pro")  # still harmless here
    billing.discord.role_facts[PRO_ROLE] = RoleFacts(PRO_ROLE, 1, permissions=int(
        Permission.MANAGE_ROLES))  # fmt: skip
    await billing.service.outbox.run_once()
    await billing.service.outbox.run_once()
    assert PRO_ROLE not in billing.discord.roles_of(USER)
    [(channel, text)] = billing.discord.posts
    assert channel == MOD_LOG and "Manage Roles" in text and f"<@{USER}>" in text

    del billing.discord.role_facts[PRO_ROLE]  # a moderator takes the power away
    billing.service.outbox.retry_now()
    await billing.service.outbox.run_once()
    assert PRO_ROLE in billing.discord.roles_of(USER)
