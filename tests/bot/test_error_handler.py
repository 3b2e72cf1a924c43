import logging

import discord
import pytest
from discord import app_commands

from bot.core.errors import InvalidInput
from bot.error_handler import user_message_for


def test_domain_error_is_shown_as_is_without_an_error_id() -> None:
    message, error_id = user_message_for(InvalidInput("That date is in the past."))
    assert (message, error_id) == ("That date is in the past.", None)


def test_cooldown_tells_when_to_try_again() -> None:
    cooldown = app_commands.CommandOnCooldown(app_commands.Cooldown(1, 30), retry_after=12.4)
    message, error_id = user_message_for(cooldown)
    assert message == "Slow down a little: try again in 12 s."
    assert error_id is None


def test_unexpected_error_is_logged_with_the_id_the_user_sees(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.ERROR, logger="bot.error_handler"):
        message, error_id = user_message_for(KeyError("boom"))
    assert error_id is not None and f"`{error_id}`" in message
    assert "boom" not in message
    [record] = caplog.records
    assert error_id in record.getMessage()
    assert record.exc_info is not None


def _transformer_error(value: str, cause: Exception | None) -> app_commands.TransformerError:
    error = app_commands.TransformerError(
        value, discord.AppCommandOptionType.string, app_commands.transformers.IdentityTransformer(
            discord.AppCommandOptionType.string)
    )  # fmt: skip
    error.__cause__ = cause
    return error


def test_an_options_own_check_is_shown_as_its_domain_message() -> None:
    refused = InvalidInput("A tier is 1 to 32 characters long; you sent 2,000.")
    message, error_id = user_message_for(_transformer_error("x" * 2000, refused))
    assert (message, error_id) == (refused.user_message, None)


def test_a_value_that_did_not_convert_is_echoed_short_and_inert() -> None:
    message, _ = user_message_for(_transformer_error("@everyone " + "y" * 3000, None))
    assert len(message) < 200 and "@everyone" not in message
