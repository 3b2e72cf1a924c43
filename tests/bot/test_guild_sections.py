"""A feature's own [guilds.<name>] table: read by its parser, problems in the one list."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pytest

from bot.settings import GuildSection, SettingsError, TableReader, parse_settings


@dataclass(frozen=True)
class Greeting:
    """A made-up feature's settings."""

    channel_id: int = 0
    text: str = "Welcome!"


def _greeting(read: TableReader, table: Mapping[str, Any], where: str) -> Greeting:
    read.unknown_keys(table, {"channel_id", "text"}, where)
    return Greeting(
        channel_id=read.value(table, "channel_id", where, int, 0),
        text=read.value(table, "text", where, str, "Welcome!"),
    )


GREETING = GuildSection("greeting", _greeting, Greeting)


def test_a_feature_reads_its_own_guild_table() -> None:
    text = '[[guilds]]\nid = 1\n[guilds.greeting]\nchannel_id = 5\ntext = "Hi"\n'
    settings = parse_settings(text, {}, sections=(GREETING,))
    guild = settings.guild(1)
    assert guild is not None and guild.section(GREETING) == Greeting(5, "Hi")


def test_an_absent_table_gives_the_features_default() -> None:
    settings = parse_settings("[[guilds]]\nid = 1\n", {}, sections=(GREETING,))
    guild = settings.guild(1)
    assert guild is not None and guild.section(GREETING) == Greeting()


def test_a_sections_problems_join_the_one_list() -> None:
    text = '[[guilds]]\nid = "x"\n[guilds.greeting]\nchannel_id = "five"\nmood = 1\n'
    with pytest.raises(SettingsError) as raised:
        parse_settings(text, {}, sections=(GREETING,))
    problems = raised.value.problems
    assert any(p.startswith("guilds[0].id") for p in problems)
    assert any(p.startswith("guilds[0].greeting.channel_id: must be int") for p in problems)
    assert "guilds[0].greeting.mood: unknown key (typo?)" in problems


def test_a_table_no_feature_declares_is_an_unknown_key() -> None:
    with pytest.raises(SettingsError, match=r"guilds\[0\]\.greeting: unknown key"):
        parse_settings("[[guilds]]\nid = 1\n[guilds.greeting]\ntext = 'x'\n", {})
