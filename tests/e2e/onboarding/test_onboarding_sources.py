"""Where members come from, with the real bot: invite use counts diffed on each join."""

from __future__ import annotations

from bot.services.onboarding import OnboardingService
from sandbox.community import Community
from sandbox.discord import Perm, Person
from storage.activity import members


async def source_of(world: Community, person: Person) -> str | None:
    """Wait until the member's source is stored; return it."""

    async def stored() -> str | None:
        async with world.db.read() as session:
            row = await members.get(session, world.guild.id, person.id)
        return row.source if row is not None else None

    return await world.discord.wait_for(stored)


async def manage_server(world: Community) -> None:
    """Give Lyceum's role Manage Server, then wait for the bot to hold a snapshot."""
    guild = world.guild
    guild.edit_role(guild.bot_role, permissions=Perm.BOT | Perm.MANAGE_GUILD)
    bot_guild = world.app.bot.get_guild(guild.id)
    await world.discord.wait_for(
        lambda: bot_guild is not None and bot_guild.me.guild_permissions.manage_guild
    )
    await world.service(OnboardingService).invites.refresh(guild.id)


def tracked(world: Community, code: str) -> bool:
    """The bot's snapshot holds the code (its INVITE_CREATE was handled)."""
    snapshot = world.service(OnboardingService).invites.snapshot(world.guild.id)
    return snapshot is not None and code in snapshot


async def test_a_join_through_an_invite_is_attributed_to_it(community: Community) -> None:
    await manage_server(community)
    community.guild.create_invite(code="spring")
    await community.discord.wait_for(lambda: tracked(community, "spring"))

    alice = await community.guild.join("alice", invite="spring")

    assert await source_of(community, alice) == "spring"


async def test_two_invites_rising_at_once_give_unknown(community: Community) -> None:
    await manage_server(community)
    community.guild.create_invite(code="spring")
    community.guild.create_invite(code="autumn")
    await community.discord.wait_for(
        lambda: tracked(community, "spring") and tracked(community, "autumn")
    )

    alice = await community.guild.join("alice", invite="spring")
    bob = await community.guild.join("bob", invite="autumn")

    assert await source_of(community, alice) == "unknown"
    assert await source_of(community, bob) == "unknown"


async def test_a_join_through_the_vanity_url_is_attributed_to_it(community: Community) -> None:
    community.guild.set_vanity_url("lyceum")
    bot_guild = community.app.bot.get_guild(community.guild.id)
    await community.discord.wait_for(
        lambda: bot_guild is not None and "VANITY_URL" in bot_guild.features
    )
    await manage_server(community)

    alice = await community.guild.join("alice", invite="lyceum")

    assert await source_of(community, alice) == "lyceum"


async def test_without_manage_server_the_source_is_unknown(community: Community) -> None:
    community.guild.create_invite(code="spring")

    alice = await community.guild.join("alice", invite="spring")

    assert await source_of(community, alice) == "unknown"
    assert not community.discord.calls.filter("GET /guilds/{guild_id}/invites")


async def test_joins_one_after_another_are_each_attributed(community: Community) -> None:
    await manage_server(community)
    community.guild.create_invite(code="spring")
    community.guild.create_invite(code="autumn")
    await community.discord.wait_for(
        lambda: tracked(community, "spring") and tracked(community, "autumn")
    )

    alice = await community.guild.join("alice", invite="spring")
    assert await source_of(community, alice) == "spring"
    bob = await community.guild.join("bob", invite="autumn")
    assert await source_of(community, bob) == "autumn"


async def test_a_rejoin_keeps_the_first_source(community: Community) -> None:
    await manage_server(community)
    community.guild.create_invite(code="spring")
    community.guild.create_invite(code="autumn")
    await community.discord.wait_for(
        lambda: tracked(community, "spring") and tracked(community, "autumn")
    )
    alice = await community.guild.join("alice", invite="spring")
    assert await source_of(community, alice) == "spring"
    await alice.leave()

    await community.guild.join(alice, invite="autumn")
    await community.discord.wait_for(
        lambda: (
            community.service(OnboardingService).invites.snapshot(community.guild.id)
            == {"spring": 1, "autumn": 1}
        )
    )

    assert await source_of(community, alice) == "spring"


async def test_a_revoked_invite_leaves_the_snapshot(community: Community) -> None:
    await manage_server(community)
    community.guild.create_invite(code="spring")
    await community.discord.wait_for(lambda: tracked(community, "spring"))

    community.guild.delete_invite("spring")

    await community.discord.wait_for(lambda: not tracked(community, "spring"))
