"""`/audit [member] [action]` for moderators, privately."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.access import MODERATORS
from bot.core.text import t
from bot.discord_limits import BoundedText, fit_choices, respond
from bot.discord_ports import audience, caller_of, declared_permissions
from bot.services.audit import AuditLine, AuditService

ACTION_MAX = 64
Action = app_commands.Transform[str, BoundedText(ACTION_MAX, what=lambda: t("An action"))]


def audit_text(lines: list[AuditLine]) -> str:
    """The entries, newest first, each with its time in the reader's own timezone."""
    if not lines:
        return t("No audit entries match.")
    return "\n".join(f"<t:{int(line.at.timestamp())}:f> {line.text}" for line in lines)


class Audit(commands.Cog):
    """Who did what to whom, for moderators."""

    def __init__(self, audit: AuditService) -> None:
        self.trail = audit
        super().__init__()

    async def _action_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None:
            return []
        names = await self.trail.action_choices(interaction.guild_id, current)
        return fit_choices(app_commands.Choice(name=name, value=name) for name in names)

    @audience(MODERATORS)
    @app_commands.command(description="Moderator and owner actions, newest first.")
    @app_commands.guild_only()
    @app_commands.default_permissions(declared_permissions(MODERATORS))
    @app_commands.describe(member="Only actions by or about this member", action="Only this action")
    @app_commands.autocomplete(action=_action_autocomplete)
    async def audit(
        self,
        interaction: discord.Interaction,
        member: discord.User | None = None,
        action: Action | None = None,
    ) -> None:
        assert interaction.guild_id is not None
        lines = await self.trail.entries(
            interaction.guild_id,
            caller_of(interaction),
            user_id=member.id if member else None,
            action=action,
        )
        await respond(interaction, audit_text(lines))
