"""Sandbox internals that tests rely on: snowflakes and role positions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sandbox.discord import DiscordSandbox
from sandbox.discord.snowflake import Snowflakes, snowflake_time


def test_snowflakes_encode_creation_time_and_increase() -> None:
    ids = Snowflakes()
    first, second = ids.next(), ids.next()
    assert second > first
    assert abs(snowflake_time(first) - datetime.now(UTC)) < timedelta(seconds=1)


def test_new_role_goes_below_bot_role_and_explicit_position_above() -> None:
    guild = DiscordSandbox().create_guild("g")
    low = guild.create_role("low")
    high = guild.create_role("high", position=guild.bot_role.position + 1)
    assert [r.name for r in guild.roles] == ["@everyone", "low", "Lyceum", "high"]
    assert [r.position for r in guild.roles] == [0, 1, 2, 3]
    assert low.position < guild.bot_role.position < high.position
