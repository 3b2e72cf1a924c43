"""`/feedback send` (a form, for every member) and `/feedback list` (moderators).

Discord does not let `/feedback` be both a command and a group, so sending is a
subcommand too. The list is visible to everyone (a subcommand cannot declare its own
default permissions) and checked by the service.
"""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.access import MODERATORS
from bot.core.text import t
from bot.discord_limits import respond
from bot.discord_ports import audience, caller_of
from bot.error_handler import reply_with_error
from bot.services.feedback import FeedbackLine, FeedbackService
from bot.services.feedback.service import TEXT_MAX, TEXT_MIN


def feedback_text(lines: list[FeedbackLine]) -> str:
    """The newest feedback, one line each, times in the reader's own timezone."""
    if not lines:
        return t("No feedback yet.")
    return "\n".join(
        f"<t:{int(line.at.timestamp())}:f> <@{line.user_id}>: {line.text}" for line in lines
    )


class FeedbackForm(discord.ui.Modal):
    """The one-field form a member fills in."""

    def __init__(self, feedback: FeedbackService) -> None:
        super().__init__(title=t("Feedback for the moderators"))
        self.feedback = feedback
        self.text: discord.ui.TextInput[FeedbackForm] = discord.ui.TextInput(
            label=t("What should the moderators know?"),
            style=discord.TextStyle.paragraph,
            min_length=TEXT_MIN,
            max_length=TEXT_MAX,
        )
        self.add_item(self.text)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        """Store and post it, then thank the member privately."""
        assert interaction.guild_id is not None
        await self.feedback.submit(interaction.guild_id, interaction.user.id, self.text.value)
        await respond(interaction, t("Thank you: the moderators have your feedback."))

    # discord.py types the base view's three-argument on_error; a modal's takes two.
    async def on_error(  # type: ignore[override]
        self, interaction: discord.Interaction, error: Exception
    ) -> None:
        """A refusal or a failure becomes a private reply."""
        await reply_with_error(interaction, error)


@app_commands.guild_only()
class FeedbackCog(commands.GroupCog, group_name="feedback"):
    """Members' feedback to the moderators."""

    def __init__(self, feedback: FeedbackService) -> None:
        self.feedback = feedback
        super().__init__()

    @audience(None)
    @app_commands.command(description="Tell the moderators something, privately.")
    async def send(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(FeedbackForm(self.feedback))

    @audience(MODERATORS)
    @app_commands.command(description="The newest feedback from members (moderators).")
    async def list(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        lines = await self.feedback.newest(interaction.guild_id, caller_of(interaction))
        await respond(interaction, feedback_text(lines))
