"""One place that turns command, button and modal errors into replies."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable
from typing import Any

import discord
from discord import app_commands

from bot.core.echo import echo
from bot.core.errors import DomainError
from bot.core.text import t
from bot.discord_limits import respond

log = logging.getLogger(__name__)


def _describe_check_failure(error: app_commands.CheckFailure) -> str:
    if isinstance(error, app_commands.CommandOnCooldown):
        return t(
            "Slow down a little: try again in {seconds} s.",
            seconds=format(error.retry_after, ".0f"),
        )
    if isinstance(error, app_commands.MissingPermissions | app_commands.MissingAnyRole):
        return t("You don't have permission to use this command.")
    if isinstance(error, app_commands.NoPrivateMessage):
        return t("This command only works inside the server.")
    return t("You can't use this command here.")


def user_message_for(error: Exception) -> tuple[str, str | None]:
    """The reply for an error, and an error id when it was unexpected (and logged)."""
    original = error.original if isinstance(error, app_commands.CommandInvokeError) else error
    if isinstance(original, app_commands.TransformerError) and isinstance(
        original.__cause__, DomainError
    ):
        original = original.__cause__  # an option's own check (`BoundedText`) refused it
    if isinstance(original, DomainError):
        return original.user_message, None
    if isinstance(original, app_commands.TransformerError):
        return t("{value} is not a valid choice here.", value=echo(str(original.value))), None
    if isinstance(original, app_commands.CheckFailure):
        return _describe_check_failure(original), None
    error_id = uuid.uuid4().hex[:8]
    log.error("unexpected error %s", error_id, exc_info=original)
    return (
        t(
            "Sorry, something went wrong on our side. The moderators can look it up "
            "with error id `{error_id}`.",
            error_id=error_id,
        ),
        error_id,
    )


async def answer_failures(interaction: discord.Interaction, work: Awaitable[None]) -> None:
    """Run a component's work; a failure becomes a private reply (a `DynamicItem` has no
    view whose `on_error` would catch it); anything but a domain error is raised on."""
    try:
        await work
    except Exception as error:
        await reply_with_error(interaction, error)
        if not isinstance(error, DomainError):
            raise


async def reply_with_error(interaction: discord.Interaction, error: Exception) -> None:
    """Reply privately, whether or not the interaction was already answered."""
    message, _ = user_message_for(error)
    try:
        await respond(interaction, message)
    except discord.HTTPException:
        log.warning("could not send the error reply for interaction %s", interaction.id)


async def on_app_command_error(
    interaction: discord.Interaction, error: app_commands.AppCommandError
) -> None:
    """The command tree's error handler."""
    await reply_with_error(interaction, error)


class ErrorHandlingView(discord.ui.View):
    """A view whose item errors get the same private replies as commands."""

    async def on_error(
        self,
        interaction: discord.Interaction,
        error: Exception,
        item: discord.ui.Item[Any],
        /,
    ) -> None:
        await reply_with_error(interaction, error)


class ErrorHandlingModal(discord.ui.Modal):
    """A modal whose submit errors get the same private replies as commands."""

    async def on_error(  # type: ignore[override]  # Modal narrows BaseView's signature
        self, interaction: discord.Interaction, error: Exception, /
    ) -> None:
        await reply_with_error(interaction, error)
