"""Every command declares its audience; every command not for all members refuses a plain
member privately and changes nothing, even when an admin let everyone see it."""

from __future__ import annotations

from typing import Any

from discord import app_commands
from discord.enums import AppCommandOptionType, AppCommandType, ChannelType
from sqlalchemy import select
from sqlmodel import SQLModel

from bot.cooldowns import LyceumTree, MemberCooldowns
from bot.core.access import GATES
from bot.discord_ports import AUDIENCE, EVERY_MEMBER
from sandbox.community import Community
from sandbox.discord import Person
from storage.drops import queries as drop_queries
from storage.drops.models import DropMember
from storage.schema import load_models
from tests.e2e.onboarding.onboarding_support import seen

AnyCommand = app_commands.Command[Any, Any, Any] | app_commands.ContextMenu
REFUSALS = {gate.name: gate for gate in GATES}
# Written by the logging path of any command, whoever runs it.
LOG_TABLES = ("interactions", "members")


def leaves(world: Community) -> list[AnyCommand]:
    """Every slash command, subcommand and context menu the bot registered."""
    tree = world.app.bot.tree
    found: list[AnyCommand] = [
        c for c in tree.walk_commands() if isinstance(c, app_commands.Command)
    ]
    for kind in (AppCommandType.message, AppCommandType.user):
        found += [
            c for c in tree.get_commands(type=kind) if isinstance(c, app_commands.ContextMenu)
        ]
    return found


def audience_of(command: AnyCommand) -> str | None:
    """The command's declared audience, or its nearest group's."""
    if AUDIENCE in command.extras:
        return str(command.extras[AUDIENCE])
    parent = command.parent if isinstance(command, app_commands.Command) else None
    while parent is not None:
        if AUDIENCE in parent.extras:
            return str(parent.extras[AUDIENCE])
        parent = parent.parent
    return None


def root_name(command: AnyCommand) -> str:
    return command.qualified_name.split()[0]


def option_value(world: Community, member: Person, parameter: app_commands.Parameter) -> Any:
    """A plausible value of the parameter's type (what a member could send)."""
    if parameter.choices:
        return parameter.choices[0].value
    kind = parameter.type
    if kind in (AppCommandOptionType.user, AppCommandOptionType.mentionable):
        return member
    if kind is AppCommandOptionType.role:
        return world.guild.role("Member")
    if kind is AppCommandOptionType.channel:
        types = set(parameter.channel_types)
        if ChannelType.forum in types:
            return world.channel("questions")
        if types & {ChannelType.voice, ChannelType.stage_voice}:
            return world.channel("lounge")
        return world.channel("general")
    if kind in (AppCommandOptionType.integer, AppCommandOptionType.number):
        return parameter.min_value if parameter.min_value is not None else 1
    if kind is AppCommandOptionType.boolean:
        return True
    if kind is AppCommandOptionType.attachment:
        return world.discord.attachment("walk.txt", b"walk")
    return "walk"


async def snapshot(world: Community) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table but the log's, table by table."""
    load_models()
    rows: dict[str, list[tuple[Any, ...]]] = {}
    async with world.db.read() as session:
        connection = await session.connection()
        for name, table in SQLModel.metadata.tables.items():
            if name in LOG_TABLES or name.startswith("stats_"):
                continue
            result = await connection.execute(select(table))
            rows[name] = sorted((tuple(r) for r in result.all()), key=repr)
    return rows


async def joined_everywhere(world: Community, person: Person) -> None:
    """Every feature that notes a join has written it, so the walk starts from still rows."""
    await seen(world, person)

    async def noted_by_drops() -> DropMember | None:
        async with world.db.read() as session:
            return await drop_queries.member(session, world.guild.id, person.id)

    await world.discord.wait_for(noted_by_drops)


async def test_every_command_declares_its_audience(community: Community) -> None:
    undeclared = [c.qualified_name for c in leaves(community) if audience_of(c) is None]
    unknown = [
        c.qualified_name
        for c in leaves(community)
        if audience_of(c) not in (None, EVERY_MEMBER, *REFUSALS)
    ]

    assert undeclared == [] and unknown == []


async def test_every_non_member_command_refuses_a_plain_member_and_changes_nothing(
    community: Community,
) -> None:
    tree = community.app.bot.tree
    assert isinstance(tree, LyceumTree)
    tree.cooldowns = MemberCooldowns(0, 60.0)  # the walk runs many commands in a minute
    alice = await community.guild.join("alice")
    await joined_everywhere(community, alice)
    everyone = community.guild.role("@everyone")
    walked = []
    for command in leaves(community):
        gate = audience_of(command)
        if gate in (None, EVERY_MEMBER) or isinstance(command, app_commands.ContextMenu):
            continue
        # An admin lets everyone see it in the Integrations settings: the bot checks again.
        community.guild.allow_command(root_name(command), everyone)
        options = {
            p.name: option_value(community, alice, p) for p in command.parameters if p.required
        }
        before = await snapshot(community)

        reply = await alice.run(f"/{command.qualified_name}", **options)

        assert reply.ephemeral, command.qualified_name
        assert reply.content == REFUSALS[gate].refusal, (command.qualified_name, reply.content)
        assert await snapshot(community) == before, command.qualified_name
        walked.append(command.qualified_name)
    assert "membership grant" in walked and "stats week" in walked
