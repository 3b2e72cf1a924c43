"""/ask: the modal, and the buttons under a refusal or the duplicates (work after restarts)."""

from __future__ import annotations

import re
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.ids import custom_id, int_value, pattern
from bot.core.text import t
from bot.discord_limits import respond
from bot.discord_ports import audience
from bot.error_handler import answer_failures, reply_with_error
from bot.services.qa.service import QaService
from bot.services.qa.views import AskForm, Duplicates, Posted, Refused
from bot.services.qa.wording import DETAILS_MAX, TITLE_MAX
from cogs.qa.render import duplicates_text, posted_text, refused_text, solved_it_text

FEATURE = "qa"


def _service(interaction: discord.Interaction) -> QaService:
    return interaction.client.services.get(QaService)  # type: ignore[attr-defined, no-any-return]


class AskModal(discord.ui.Modal):
    """Title, details and tags of a question."""

    def __init__(self, service: QaService, form: AskForm) -> None:
        super().__init__(
            title=t("Ask a question"), custom_id=custom_id(FEATURE, "ask", form.draft_id)
        )
        self.service = service
        self.draft_id = form.draft_id
        self.question_title: discord.ui.TextInput[AskModal] = discord.ui.TextInput(
            label=t("Title: what are you stuck on?"), max_length=TITLE_MAX,
            default=form.title or None, placeholder=t("e.g. pandas merge drops rows with NaN keys"),
        )  # fmt: skip
        self.details: discord.ui.TextInput[AskModal] = discord.ui.TextInput(
            label=t("Details: what you tried, what happened"), style=discord.TextStyle.paragraph,
            max_length=DETAILS_MAX, default=form.details or None,
        )  # fmt: skip
        self.add_item(self.question_title)
        self.add_item(self.details)
        self.tags: discord.ui.Select[AskModal] | None = None
        if form.tags:
            self.tags = discord.ui.Select(
                custom_id=custom_id(FEATURE, "tags", form.draft_id),
                placeholder=t("Pick up to {n} tags", n=form.max_tags),
                min_values=0, max_values=form.max_tags, required=False,
                options=[
                    discord.SelectOption(label=tag, value=tag, default=tag in form.chosen)
                    for tag in form.tags
                ],
            )  # fmt: skip
            self.add_item(discord.ui.Label(text=t("Tags"), component=self.tags))

    async def on_submit(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        outcome = await self.service.submit(
            interaction.guild_id, interaction.user.id, self.question_title.value,
            self.details.value, list(self.tags.values) if self.tags else [], self.draft_id,
        )  # fmt: skip
        await show_outcome(interaction, outcome)

    async def on_error(  # type: ignore[override]  # a Modal's on_error has no item
        self, interaction: discord.Interaction, error: Exception, /
    ) -> None:
        await reply_with_error(interaction, error)


async def show_outcome(
    interaction: discord.Interaction, outcome: Refused | Duplicates | Posted
) -> None:
    """Answer the member privately with what /ask did."""
    if isinstance(outcome, Refused):
        view = discord.ui.View(timeout=None)
        view.add_item(EditButton(outcome.draft_id, t("Edit my question")))
        await respond(interaction, refused_text(outcome), view=view)
    elif isinstance(outcome, Duplicates):
        view = discord.ui.View(timeout=None)
        for number, candidate in enumerate(outcome.candidates, start=1):
            view.add_item(
                SolvedItButton(
                    outcome.draft_id, candidate.question.id,
                    t("This solved it (#{n})", n=number),
                )
            )  # fmt: skip
        view.add_item(PostAnywayButton(outcome.draft_id, t("Post anyway")))
        await respond(interaction, duplicates_text(outcome), view=view)
    else:
        await respond(interaction, posted_text(outcome))


class Asking(commands.Cog):
    """`/ask`."""

    def __init__(self, service: QaService) -> None:
        self.service = service

    @audience(None)
    @app_commands.command(description="Ask the community a question (opens a form).")
    @app_commands.guild_only()
    async def ask(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        form = await self.service.form(interaction.guild_id, interaction.user.id)
        await interaction.response.send_modal(AskModal(self.service, form))


class EditButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=pattern(FEATURE, "edit")):
    """Reopen the form with what the member typed."""

    def __init__(self, draft_id: int, label: str = "Edit") -> None:
        super().__init__(
            discord.ui.Button(
                label=label, style=discord.ButtonStyle.primary,
                custom_id=custom_id(FEATURE, "edit", draft_id),
            )
        )  # fmt: skip
        self.draft_id = draft_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> EditButton:
        return cls(int_value(match["value"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await answer_failures(interaction, self._edit(interaction))

    async def _edit(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        service = _service(interaction)
        form = await service.form(interaction.guild_id, interaction.user.id, self.draft_id)
        await interaction.response.send_modal(AskModal(service, form))


class PostAnywayButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=pattern(FEATURE, "post")
):
    """Post the question although earlier ones look alike."""

    def __init__(self, draft_id: int, label: str = "Post anyway") -> None:
        super().__init__(
            discord.ui.Button(
                label=label, style=discord.ButtonStyle.secondary,
                custom_id=custom_id(FEATURE, "post", draft_id),
            )
        )  # fmt: skip
        self.draft_id = draft_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> PostAnywayButton:
        return cls(int_value(match["value"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await answer_failures(interaction, self._post(interaction))

    async def _post(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        posted = await _service(interaction).post_anyway(
            interaction.guild_id, interaction.user.id, self.draft_id
        )
        await respond(interaction, posted_text(posted))


class SolvedItButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=pattern(FEATURE, "solvedit", r"(?P<draft>\d+)-(?P<question>\d+)"),
):
    """An earlier question answered it: nothing is posted, the earlier one is credited."""

    def __init__(self, draft_id: int, question_id: int, label: str = "This solved it") -> None:
        super().__init__(
            discord.ui.Button(
                label=label, style=discord.ButtonStyle.success,
                custom_id=custom_id(FEATURE, "solvedit", f"{draft_id}-{question_id}"),
            )
        )  # fmt: skip
        self.draft_id, self.question_id = draft_id, question_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> SolvedItButton:
        return cls(int_value(match["draft"]), int_value(match["question"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await answer_failures(interaction, self._solved(interaction))

    async def _solved(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        question = await _service(interaction).solved_it(
            interaction.guild_id, interaction.user.id, self.draft_id, self.question_id
        )
        await respond(interaction, solved_it_text(question))


COMPONENTS = (EditButton, PostAnywayButton, SolvedItButton)
