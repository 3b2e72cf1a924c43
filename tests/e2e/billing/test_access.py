"""Who may set up tiers, and which roles the bot agrees to hand out, with the real bot."""

from __future__ import annotations

from sqlmodel import select

from bot.services.billing import BillingService
from sandbox.community import Community
from sandbox.discord import Perm, Person, Role
from storage.audit.models import AuditEntry
from storage.billing.models import Tier
from tests.e2e.billing.billing_support import settled, subscribe_and_pay


async def tier_keys(world: Community) -> list[str]:
    async with world.db.read() as session:
        return sorted(t.key for t in (await session.exec(select(Tier))).all())


async def tier_audits(world: Community) -> int:
    async with world.db.read() as session:
        rows = (await session.exec(select(AuditEntry))).all()
    return sum(1 for row in rows if row.action == "tiers.set")


def admin_role(world: Community) -> Role:
    """An "Admin" role with Administrator, above every other role but the bot's."""
    return world.guild.create_role(
        "Admin", position=world.guild.bot_role.position, permissions=Perm.ADMINISTRATOR
    )


async def moderator_allowed_setup(world: Community) -> Person:
    """A moderator (Manage Roles) whom an admin let run /setup (an Integrations override)."""
    world.guild.allow_command("setup", world.guild.role("Moderator"))
    return await world.moderator()


async def test_moderator_cannot_make_a_tier_of_the_admin_role_and_grant_it(
    community: Community,
) -> None:
    admin = admin_role(community)
    mod = await moderator_allowed_setup(community)

    setup = await mod.run("/setup tiers", key="x", price_id="price_x", role=admin, kind="one_time")
    grant = await mod.run("/membership grant", member=mod, tier="x")
    await community.service(BillingService).outbox.run_once()

    assert setup.ephemeral and "Manage Server" in setup.content
    assert grant.ephemeral and "no tier" in grant.content.lower()
    assert not mod.has_role(admin)
    assert await tier_keys(community) == ["lifetime", "pro"]
    assert await tier_audits(community) == 0


async def test_server_manager_below_admin_cannot_make_a_tier_of_it(
    community: Community,
) -> None:
    admin = admin_role(community)
    managers = community.guild.create_role(
        "Managers", permissions=Perm.MANAGE_GUILD | Perm.MANAGE_ROLES
    )
    dana = await community.guild.join("dana")
    await community.guild.give_role(dana, managers)

    reply = await dana.run("/setup tiers", key="x", price_id="price_x", role=admin,
                           kind="one_time")  # fmt: skip

    assert reply.ephemeral and "Administrator" in reply.content
    assert await tier_keys(community) == ["lifetime", "pro"]
    assert await tier_audits(community) == 0


async def test_no_role_with_moderator_powers_becomes_a_tier_even_for_the_owner(
    community: Community,
) -> None:
    helpers = community.guild.create_role("Helpers", permissions=Perm.MANAGE_MESSAGES)

    reply = await community.owner.run("/setup tiers", key="helpers", price_id="price_h",
                                      role=helpers, kind="one_time")  # fmt: skip

    assert reply.ephemeral and "Manage Messages" in reply.content
    assert await tier_keys(community) == ["lifetime", "pro"]


async def test_a_role_above_the_callers_top_role_is_refused(community: Community) -> None:
    managers = community.guild.create_role("Managers", permissions=Perm.MANAGE_GUILD)
    vip = community.guild.create_role("VIP", position=managers.position + 1)
    dana = await community.guild.join("dana")
    await community.guild.give_role(dana, managers)

    reply = await dana.run("/setup tiers", key="vip", price_id="price_vip", role=vip,
                           kind="one_time")  # fmt: skip

    assert reply.ephemeral and "above your highest role" in reply.content
    assert await tier_keys(community) == ["lifetime", "pro"]


async def test_a_role_above_the_bot_is_refused(community: Community) -> None:
    top = community.guild.create_role("Top", position=community.guild.bot_role.position + 1)

    reply = await community.owner.run("/setup tiers", key="top", price_id="price_top", role=top,
                                      kind="one_time")  # fmt: skip

    assert reply.ephemeral and "above my role" in reply.content
    assert await tier_keys(community) == ["lifetime", "pro"]


async def test_a_harmless_role_below_everyone_becomes_a_tier(community: Community) -> None:
    supporters = community.guild.create_role("Supporters")

    reply = await community.owner.run("/setup tiers", key="supporter", price_id="price_s",
                                      role=supporters, kind="one_time")  # fmt: skip

    assert reply.ephemeral and reply.content.startswith("Saved")
    assert await tier_keys(community) == ["lifetime", "pro", "supporter"]


async def test_a_tier_role_that_became_dangerous_is_not_granted_by_hand(
    community: Community,
) -> None:
    pro = community.tier_roles["pro"]
    community.guild.edit_role(pro, permissions=Perm.ADMINISTRATOR)
    bob = await community.guild.join("bob")
    mod = await community.moderator()

    reply = await mod.run("/membership grant", member=bob, tier="pro")
    await community.service(BillingService).outbox.run_once()

    assert reply.ephemeral and "Administrator" in reply.content
    assert not bob.has_role(pro)


async def test_a_paid_tier_role_that_became_dangerous_is_held_back_and_reported(
    community: Community,
) -> None:
    pro = community.tier_roles["pro"]
    alice = await community.guild.join("alice")
    community.stripe.webhooks.pause()
    await subscribe_and_pay(community, alice)
    community.guild.edit_role(pro, permissions=Perm.BAN_MEMBERS)  # after the payment
    community.stripe.webhooks.resume()
    await settled(community)

    mod_log = community.channel("mod-log")
    await community.discord.wait_for(lambda: mod_log.messages)
    assert "Ban Members" in mod_log.messages[0].content
    assert not alice.has_role(pro)
    community.guild.edit_role(pro, permissions=0)  # a moderator takes the power away
    community.service(BillingService).outbox.retry_now()
    await community.discord.wait_for(lambda: alice.has_role(pro))
    assert len(mod_log.messages) == 1


async def test_a_tier_whose_role_became_dangerous_is_not_sold(community: Community) -> None:
    pro = community.tier_roles["pro"]
    community.guild.edit_role(pro, permissions=Perm.MANAGE_WEBHOOKS)
    alice = await community.guild.join("alice")

    reply = await alice.run("/subscribe", tier="pro")

    assert reply.ephemeral and "cannot be bought right now" in reply.content
    assert reply.buttons == []


async def test_commands_declare_the_permission_their_gate_checks(community: Community) -> None:
    await community.owner.run("/help")  # registered by now
    declared = {
        c.name: c.default_member_permissions
        for scope in community.discord.state.commands.values()
        for c in scope
    }
    assert declared["setup"] == str(Perm.MANAGE_GUILD)
    assert declared["membership"] == str(Perm.MANAGE_ROLES)
    assert declared["stats"] is None  # the owners role cannot be declared; the bot checks


async def test_a_member_let_into_setup_by_an_override_is_still_refused(
    community: Community,
) -> None:
    helpers = community.guild.create_role("Helpers")
    community.guild.allow_command("setup", helpers)
    carol = await community.guild.join("carol")
    await community.guild.give_role(carol, helpers)

    reply = await carol.run("/setup tiers")

    assert reply.ephemeral and "Manage Server" in reply.content
