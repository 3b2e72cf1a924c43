"""`/questions` (the helpers' queue, a member's own) and the moderators' `/qa ...`."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.access import MODERATORS
from bot.core.text import t
from bot.discord_limits import BoundedText, fit_choices, respond
from bot.discord_ports import audience_extras, caller_of, declared_permissions
from bot.services.qa.service import QaService
from cogs.qa.render import closed_text, queue_text

TagName = app_commands.Transform[str, BoundedText(32, what=lambda: t("A tag"))]
STATUSES = [
    app_commands.Choice(name="unanswered (the queue)", value="unanswered"),
    app_commands.Choice(name="answered, not solved", value="answered"),
    app_commands.Choice(name="waiting (unanswered or answered)", value="waiting"),
    app_commands.Choice(name="solved", value="solved"),
    app_commands.Choice(name="closed", value="closed"),
]
REASONS = [
    app_commands.Choice(name="moderator decision", value="moderator"),
    app_commands.Choice(name="off topic", value="off_topic"),
    app_commands.Choice(name="inactive", value="inactive"),
]


class Questions(commands.GroupCog, group_name="questions", group_extras=audience_extras(None)):
    """The helpers' view of the questions."""

    def __init__(self, service: QaService) -> None:
        self.service = service

    async def _tags(
        self, interaction: discord.Interaction, typed: str
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None:
            return []
        tags = self.service.tags(interaction.guild_id)
        return fit_choices(
            app_commands.Choice(name=tag, value=tag) for tag in tags if typed.lower() in tag.lower()
        )

    @app_commands.command(name="list", description="Questions waiting for help, oldest first.")
    @app_commands.guild_only()
    @app_commands.describe(tag="Only questions with this tag", status="Which questions")
    @app_commands.choices(status=STATUSES)
    async def list_(
        self,
        interaction: discord.Interaction,
        tag: TagName | None = None,
        status: str = "unanswered",
    ) -> None:
        assert interaction.guild_id is not None
        found = await self.service.queue(interaction.guild_id, status=status, tag=tag)
        heading = t("Questions ({status}), oldest first:", status=status)
        await respond(interaction, queue_text(found, heading))

    list_.autocomplete("tag")(_tags)

    @app_commands.command(name="mine", description="Your own questions, newest first.")
    @app_commands.guild_only()
    async def mine(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        found = await self.service.mine(interaction.guild_id, interaction.user.id)
        await respond(interaction, queue_text(found, t("Your questions:")))


@app_commands.default_permissions(declared_permissions(MODERATORS))
@app_commands.guild_only()
class QaModeration(commands.GroupCog, group_name="qa", group_extras=audience_extras(MODERATORS)):
    """Moderators close, reopen and de-duplicate questions (run inside the thread)."""

    def __init__(self, service: QaService) -> None:
        self.service = service

    @app_commands.command(description="Close this question with a reason.")
    @app_commands.choices(reason=REASONS)
    async def close(self, interaction: discord.Interaction, reason: str = "moderator") -> None:
        assert interaction.guild_id is not None and interaction.channel_id is not None
        view = await self.service.close(
            interaction.guild_id, caller_of(interaction), interaction.channel_id, reason
        )
        await respond(interaction, closed_text(view))

    @app_commands.command(description="Close this question as a duplicate of an earlier one.")
    @app_commands.describe(of="The earlier question's number (#id in /questions)")
    async def duplicate(
        self, interaction: discord.Interaction, of: app_commands.Range[int, 1, 2**53 - 1]
    ) -> None:
        assert interaction.guild_id is not None and interaction.channel_id is not None
        view = await self.service.duplicate(
            interaction.guild_id, caller_of(interaction), interaction.channel_id, of
        )
        await respond(interaction, closed_text(view))

    @app_commands.command(description="Reopen this closed or solved question.")
    async def reopen(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None and interaction.channel_id is not None
        view = await self.service.reopen(
            interaction.guild_id, caller_of(interaction), interaction.channel_id
        )
        await respond(interaction, closed_text(view))
