"""`/points show|adjust|rescore|levels|level`, `/leaderboard`, and `/profile leaderboard`."""

from __future__ import annotations

from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.access import MODERATORS
from bot.core.text import nt, t
from bot.discord_limits import BoundedText, respond
from bot.discord_ports import audience, audience_extras, bot_top_position, caller_of, role_facts
from bot.services.points import PointsService, Rescorer
from bot.services.points.levels import NAME_MAX
from bot.services.points.service import REASON_MAX
from cogs.points.components import ApplyRescore
from cogs.points.render import board_text, levels_text, points_text, rescore_text

Reason = app_commands.Transform[str, BoundedText(REASON_MAX, what=lambda: t("A reason"))]
LevelName = app_commands.Transform[str, BoundedText(NAME_MAX, what=lambda: t("A level name"))]
Rule = Literal["answer_accepted", "answer_posted", "question_solved", "onboarded", "drop_streak"]
Period = Literal["week", "month", "all"]


@app_commands.guild_only()
class Points(commands.GroupCog, group_name="points", group_extras=audience_extras(None)):
    """Your points, and the moderators' tools (checked by the service)."""

    def __init__(self, service: PointsService) -> None:
        self.service = service
        self.rescorer = Rescorer(service)
        super().__init__()

    @app_commands.command(description="Your points, level and history (only you see it).")
    @app_commands.describe(page="Older entries: 1 is the next page")
    async def show(
        self, interaction: discord.Interaction, page: app_commands.Range[int, 0, 1000] = 0
    ) -> None:
        assert interaction.guild_id is not None
        view = await self.service.points(interaction.guild_id, interaction.user.id, page)
        await respond(interaction, points_text(view))

    @audience(MODERATORS)
    @app_commands.command(description="Moderators: add or take points, with a reason.")
    @app_commands.describe(
        member="Whose points", delta="Points to add (negative: take)", reason="Shown to them"
    )
    async def adjust(
        self,
        interaction: discord.Interaction,
        member: discord.Member,
        delta: app_commands.Range[int, -100_000, 100_000],
        reason: Reason,
    ) -> None:
        assert interaction.guild_id is not None
        if member.bot:
            await respond(interaction, t("Bots do not collect points."))
            return
        total = await self.service.adjust(
            interaction.guild_id, caller_of(interaction), member.id, delta, reason, interaction.id
        )
        await respond(
            interaction,
            t(
                "{member} now has {total} points (`{delta:+d}`, audited).",
                member=member.mention,
                total=total,
                delta=delta,
            ),
        )

    @audience(MODERATORS)
    @app_commands.command(description="Moderators: preview new weights, then apply them.")
    @app_commands.describe(
        rule="A rule to re-weight (none: the rules in the config file)",
        weight="Its new weight",
        daily_cap="Points a day from capped rules",
        answer_daily_max="Answers paid a day",
    )
    async def rescore(
        self,
        interaction: discord.Interaction,
        rule: Rule | None = None,
        weight: app_commands.Range[int, 0, 1000] | None = None,
        daily_cap: app_commands.Range[int, 0, 100_000] | None = None,
        answer_daily_max: app_commands.Range[int, 0, 100_000] | None = None,
    ) -> None:
        assert interaction.guild_id is not None
        if (rule is None) != (weight is None):
            await respond(interaction, t("Give a rule and its weight together."))
            return
        changes = {
            key: value
            for key, value in (
                (rule or "", weight),
                ("daily_cap", daily_cap),
                ("answer_daily_max", answer_daily_max),
            )
            if key and value is not None
        }
        await interaction.response.defer(ephemeral=True, thinking=True)
        view = await self.rescorer.preview(
            interaction.guild_id, caller_of(interaction), changes or None
        )
        buttons = discord.ui.View(timeout=None)
        buttons.add_item(ApplyRescore(view.rescore_id, t("Apply")))
        await respond(interaction, rescore_text(view), view=buttons)

    @app_commands.command(description="The levels of this server.")
    async def levels(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        await respond(interaction, levels_text(await self.service.ladder(interaction.guild_id)))

    @audience(MODERATORS)
    @app_commands.command(description="Moderators: change a level (or add the next one).")
    @app_commands.describe(
        number="Level number (0 is the first)", name="Its name",
        threshold="Points needed", role="Role it gives", no_role="Give no role",
    )  # fmt: skip
    async def level(
        self,
        interaction: discord.Interaction,
        number: app_commands.Range[int, 0, 19],
        name: LevelName | None = None,
        threshold: app_commands.Range[int, 0, 1_000_000_000] | None = None,
        role: discord.Role | None = None,
        no_role: bool = False,
    ) -> None:
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)  # members may move
        saved = await self.service.set_level(
            interaction.guild_id, caller_of(interaction), number, name=name, threshold=threshold,
            role=role_facts(role) if role else None, no_role=no_role,
            bot_top_position=bot_top_position(interaction),
        )  # fmt: skip
        moved = nt(
            "{count} member changes level or level role.",
            "{count} members change level or level role.",
            saved.members_moved,
        )
        await respond(
            interaction,
            t("Saved. {moved}\n{levels}", moved=moved, levels=levels_text(saved.ladder)),
        )


class Leaderboard(commands.Cog):
    """`/leaderboard [week|month|all]`."""

    def __init__(self, service: PointsService) -> None:
        self.service = service

    @audience(None)
    @app_commands.command(description="Who helped most (your own place too).")
    @app_commands.describe(period="This week (default), this month, or all time")
    @app_commands.guild_only()
    async def leaderboard(self, interaction: discord.Interaction, period: Period = "week") -> None:
        assert interaction.guild_id is not None
        view = await self.service.leaderboard(interaction.guild_id, interaction.user.id, period)
        await respond(interaction, board_text(view, interaction.user.id))


class BoardVisibility(app_commands.Group):
    """`/profile leaderboard hide|show`: a member's place on the boards."""

    def __init__(self, service: PointsService) -> None:
        super().__init__(
            name="leaderboard",
            description="Show or hide you on the leaderboards.",
            extras=audience_extras(None),
        )
        self.service = service

    @app_commands.command(description="Appear as anonymous on boards (your points still count).")
    async def hide(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        await self.service.set_hidden(interaction.guild_id, interaction.user.id, True)
        await respond(interaction, t("You now appear as anonymous on the leaderboards."))

    @app_commands.command(description="Appear with your name on boards again.")
    async def show(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        await self.service.set_hidden(interaction.guild_id, interaction.user.id, False)
        await respond(interaction, t("You appear with your name on the leaderboards again."))
