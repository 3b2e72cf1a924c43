"""A small real discord.py bot connected to the Discord sandbox, and the scene it runs in."""

from __future__ import annotations

import asyncio
import io
import struct
import zlib
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import TypeVar

import discord
import pytest
from discord import app_commands
from discord.ext import commands

from bot.discord_endpoint import use_api_base
from sandbox.discord import DiscordSandbox, SandboxGuild

TIERS = ["free", "plus", "pro", "premium"]
ClientT = TypeVar("ClientT", bound=discord.Client)
Connect = Callable[[ClientT, DiscordSandbox], AbstractAsyncContextManager[ClientT]]


def tiny_png() -> bytes:
    """A valid 1x1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


class OpenView(discord.ui.View):
    """A persistent view: survives restarts because its button has a fixed custom_id."""

    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.button(label="Open", custom_id="test:open", style=discord.ButtonStyle.primary)
    async def open(
        self, interaction: discord.Interaction, button: discord.ui.Button[OpenView]
    ) -> None:
        """Answer privately that the drop was opened."""
        await interaction.response.send_message("opened", ephemeral=True)


class CounterView(discord.ui.View):
    """A counter button answered with a deferred update, then an edit of the message."""

    def __init__(self) -> None:
        super().__init__(timeout=60)
        self.count = 0

    @discord.ui.button(label="+1", custom_id="test:count")
    async def bump(
        self, interaction: discord.Interaction, button: discord.ui.Button[CounterView]
    ) -> None:
        """Count the click in the message itself."""
        self.count += 1
        await interaction.response.defer()
        await interaction.edit_original_response(content=f"count: {self.count}")


class PickView(discord.ui.View):
    """A select menu answered by updating the message (callback type 7)."""

    def __init__(self) -> None:
        super().__init__(timeout=60)

    @discord.ui.select(
        custom_id="test:pick",
        options=[discord.SelectOption(label=t, value=t) for t in TIERS],
        max_values=2,
    )
    async def pick(
        self, interaction: discord.Interaction, select: discord.ui.Select[PickView]
    ) -> None:
        """Show what was picked."""
        await interaction.response.edit_message(content=f"picked {', '.join(select.values)}")


class AskModal(discord.ui.Modal, title="Ask a question"):
    """A two-field modal."""

    question_title: discord.ui.TextInput[AskModal] = discord.ui.TextInput(
        label="Title", custom_id="title", max_length=100
    )
    details: discord.ui.TextInput[AskModal] = discord.ui.TextInput(
        label="Details", custom_id="details", style=discord.TextStyle.paragraph
    )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        """Echo the fields back privately."""
        await interaction.response.send_message(
            f"asked: {self.question_title.value} / {self.details.value}", ephemeral=True
        )


class Membership(app_commands.Group):
    """/membership grant, and a nested group /membership config show."""

    config = app_commands.Group(name="config", description="Membership settings")

    @app_commands.command(description="Give a member a role")
    async def grant(
        self, interaction: discord.Interaction, user: discord.Member, role: discord.Role
    ) -> None:
        """Add the role through REST, then confirm."""
        await user.add_roles(role, reason="granted by test")
        await interaction.response.send_message(f"granted {role.name} to {user.name}")

    @config.command(description="Show the settings")
    async def show(self, interaction: discord.Interaction) -> None:
        """Reply with a fixed text."""
        await interaction.response.send_message("config: default", ephemeral=True)


class SandboxTestBot(commands.Bot):
    """The bot under test: a few commands, a view, a modal and listeners."""

    def __init__(self, guild_id: int) -> None:
        intents = discord.Intents.default()
        intents.members = True
        intents.message_content = True
        super().__init__(command_prefix="!", intents=intents, guild_ready_timeout=0.01)
        self.guild_id = guild_id
        self.joined: list[discord.Member] = []
        self.seen_messages: list[discord.Message] = []
        self.reactions: list[discord.RawReactionActionEvent] = []
        self.resumed_count = 0
        self.starter_role: str | None = None

    def text_channel(self, channel_id: int) -> discord.TextChannel:
        """A cached text channel (the test fails if it is anything else)."""
        channel = self.get_channel(channel_id)
        assert isinstance(channel, discord.TextChannel), channel
        return channel

    def cached_guild(self, guild_id: int) -> discord.Guild:
        """A cached guild (the test fails if the bot does not know it)."""
        guild = self.get_guild(guild_id)
        assert guild is not None, guild_id
        return guild

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """No 5 s identify pause in tests (the sandbox has no identify rate limit)."""

    async def setup_hook(self) -> None:
        """Register the view and the commands, then sync them to the test guild."""
        self.add_view(OpenView())
        tree = self.tree

        @tree.command(description="Echo text privately")
        async def echo(interaction: discord.Interaction, text: str, times: int = 1) -> None:
            await interaction.response.send_message(" ".join([text] * times), ephemeral=True)

        @tree.command(description="Pick a tier")
        async def subscribe(interaction: discord.Interaction, tier: str) -> None:
            await interaction.response.send_message(f"tier {tier}", ephemeral=True)

        @subscribe.autocomplete("tier")
        async def tier_choices(
            interaction: discord.Interaction, current: str
        ) -> list[app_commands.Choice[str]]:
            return [app_commands.Choice(name=t, value=t) for t in TIERS if t.startswith(current)]

        @tree.command(description="Think, then answer")
        async def slow(interaction: discord.Interaction) -> None:
            await interaction.response.defer(thinking=True)
            await interaction.followup.send("done thinking")

        @tree.command(description="Post a drop with an Open button")
        async def drop(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("New drop!", view=OpenView())

        @tree.command(description="Ask a question")
        async def ask(interaction: discord.Interaction) -> None:
            await interaction.response.send_modal(AskModal())

        @tree.command(description="A counter")
        async def counter(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("count: 0", view=CounterView())

        @tree.command(description="Pick tiers")
        async def pick(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("pick some", view=PickView(), ephemeral=True)

        @tree.command(description="Send the chart")
        async def chart(interaction: discord.Interaction) -> None:
            picture = discord.File(io.BytesIO(tiny_png()), "chart.png")
            await interaction.response.send_message("weekly chart", file=picture)

        @tree.command(description="Describe an uploaded file")
        async def inspect(interaction: discord.Interaction, file: discord.Attachment) -> None:
            data = await file.read()
            await interaction.response.send_message(f"{file.filename}: {len(data)} bytes")

        @tree.context_menu(name="Profile")
        async def profile(interaction: discord.Interaction, member: discord.Member) -> None:
            await interaction.response.send_message(f"profile of {member.name}", ephemeral=True)

        @tree.context_menu(name="Mark as answer")
        async def mark(interaction: discord.Interaction, message: discord.Message) -> None:
            await interaction.response.send_message(
                f"marked {message.id} by {message.author.name}", ephemeral=True
            )

        membership = Membership(
            name="membership",
            description="Manage memberships",
            default_permissions=discord.Permissions(manage_roles=True),
        )
        tree.add_command(membership)
        guild = discord.Object(self.guild_id)
        tree.copy_global_to(guild=guild)
        await tree.sync(guild=guild)

    async def on_member_join(self, member: discord.Member) -> None:
        """Record the join and, when a test asks for it, give the starter role."""
        self.joined.append(member)
        starter = discord.utils.get(member.guild.roles, name=self.starter_role)
        if starter is not None:
            await member.add_roles(starter, reason="welcome")

    async def on_message(self, message: discord.Message) -> None:
        """Record every message seen."""
        self.seen_messages.append(message)

    async def on_raw_reaction_add(self, event: discord.RawReactionActionEvent) -> None:
        """Record every reaction."""
        self.reactions.append(event)

    async def on_resumed(self) -> None:
        """Count resumes."""
        self.resumed_count += 1


@asynccontextmanager
async def connected(client: ClientT, sandbox: DiscordSandbox) -> AsyncIterator[ClientT]:
    """Run a discord.py client against the sandbox until the block ends."""
    use_api_base(sandbox.api_base)
    try:
        async with client:
            runner = asyncio.create_task(client.start(sandbox.token))
            ready = asyncio.create_task(client.wait_until_ready())
            try:
                await asyncio.wait({runner, ready}, timeout=5, return_when=asyncio.FIRST_COMPLETED)
                if runner.done():
                    runner.result()
                assert ready.done(), "the client did not become ready within 5 s"
                yield client
            finally:
                ready.cancel()
                await client.close()
                await runner
    finally:
        use_api_base("")


@pytest.fixture
def connect() -> Connect[discord.Client]:
    """`async with connect(client, sandbox):` runs any client against a sandbox."""
    return connected


@pytest.fixture
def png() -> bytes:
    """A valid 1x1 PNG."""
    return tiny_png()


@pytest.fixture
async def sandbox() -> AsyncIterator[DiscordSandbox]:
    """A running Discord sandbox."""
    async with DiscordSandbox() as running:
        yield running


@pytest.fixture
def guild(sandbox: DiscordSandbox) -> SandboxGuild:
    """A guild with a text channel, a forum, a voice channel and a starter role."""
    created = sandbox.create_guild("Lyceum")
    created.create_text_channel("general")
    created.create_forum_channel("questions", tags=["python", "solved"])
    created.create_voice_channel("lounge")
    created.create_role("Member")
    return created


@pytest.fixture
async def bot(sandbox: DiscordSandbox, guild: SandboxGuild) -> AsyncIterator[SandboxTestBot]:
    """The test bot, logged in to the sandbox and ready."""
    async with connected(SandboxTestBot(guild.id), sandbox) as client:
        yield client
