"""Moderators' /setup onboarding, /setup topic and /setup show with the real bot; the gate
button after a restart."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import select

from bot.discord_endpoint import use_api_base
from bot.runtime import running_app
from bot.services.roles import RoleService
from bot.settings import parse_settings
from sandbox.community import Community, prepare_community
from sandbox.discord import DiscordSandbox, Message, Perm, Person, SandboxGuild
from sandbox.stripe import StripeSandbox
from storage.audit.models import AuditEntry


async def onboarding_audits(world: Community) -> list[str]:
    async with world.db.read() as session:
        rows = (await session.exec(select(AuditEntry))).all()
    return [row.action for row in rows if row.action.startswith("onboarding.")]


async def helper_with_setup_override(world: Community) -> Person:
    """A member whose role an admin let see /setup, without any moderator power."""
    helpers = world.guild.create_role("Helpers")
    world.guild.allow_command("setup", helpers)
    bob = await world.guild.join("bob")
    await world.guild.give_role(bob, helpers)
    return bob


async def test_a_non_moderator_is_refused_privately_and_nothing_changes(
    community: Community,
) -> None:
    bob = await helper_with_setup_override(community)

    reply = await bob.run("/setup onboarding", gate=True)
    show = await bob.run("/setup show")

    assert reply.ephemeral and "Only moderators" in reply.content
    assert show.ephemeral and "Only moderators" in show.content
    assert await onboarding_audits(community) == []
    assert community.channel("welcome").messages == []


async def test_a_moderator_sets_onboarding_up_and_it_is_audited(community: Community) -> None:
    community.guild.allow_command("setup", community.guild.role("Moderator"))
    mod = await community.moderator()

    reply = await mod.run("/setup onboarding", gate=True, welcome_text="Hello {member}!")
    show = await mod.run("/setup show")

    assert reply.ephemeral and reply.content.startswith("Saved")
    assert "gate: on" in show.content and "Hello {member}!" in show.content
    assert await onboarding_audits(community) == ["onboarding.set"]


async def test_a_topic_role_with_moderator_powers_is_refused(community: Community) -> None:
    helpers = community.guild.create_role("Helpers", permissions=Perm.MANAGE_MESSAGES)

    reply = await community.owner.run("/setup topic", key="help", label="Help", role=helpers)

    assert reply.ephemeral and "Manage Messages" in reply.content
    assert await onboarding_audits(community) == []


def gate_in(guild: SandboxGuild) -> Message | None:
    found = [m for m in guild.channel("welcome").messages if "I agree" in str(m.components)]
    return found[0] if found else None


async def test_the_gate_button_works_after_a_restart(tmp_path: Path) -> None:
    async with DiscordSandbox() as discord_sb, StripeSandbox() as stripe_sb:
        prepared = await prepare_community(discord_sb, stripe_sb, tmp_path)
        settings = parse_settings(prepared.config_text, prepared.environment, source="test")
        guild = prepared.guild
        try:
            async with running_app(settings, wait_until_ready=10):
                await guild.owner.run("/setup onboarding", gate=True)
                gate = await discord_sb.wait_for(lambda: gate_in(guild))
            async with running_app(settings, wait_until_ready=10) as app:
                alice = await guild.join("alice")
                reply = await alice.click(gate, "I agree")
                await app.services.get(RoleService).outbox.run_once()
                await discord_sb.wait_for(lambda: alice.has_role("Member"))
        finally:
            use_api_base("")

    assert reply.ephemeral and "you're in" in reply.content.lower()
