"""Whatever the bot builds, what it sends fits Discord's limits (checked by the sandbox's
own validation of message bodies and autocomplete answers, which follows Discord's)."""

from __future__ import annotations

from typing import Any

import discord
import pytest
from discord import app_commands
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.echo import echo
from bot.discord_limits import (
    CONTENT,
    EMBEDS_TOTAL,
    clip,
    embed_size,
    fit_choices,
    fit_content,
    fit_embed,
    fit_embeds,
)
from sandbox.discord.bodies import parse_message_body
from sandbox.discord.interactions import Interactions
from sandbox.discord.snowflake import Snowflakes

texts = st.one_of(
    st.text(max_size=50),
    st.text(max_size=7000),
    st.integers(0, 7000).map(lambda n: "é" * n),
    st.sampled_from(["", "@everyone", "<@&1>", "**x**"]),
)


@st.composite
def embeds(draw: st.DrawFn) -> discord.Embed:
    embed = discord.Embed(title=draw(texts) or None, description=draw(texts) or None)
    for _ in range(draw(st.integers(0, 30))):
        embed.add_field(name=draw(texts), value=draw(texts))
    if footer := draw(texts):
        embed.set_footer(text=footer)
    if author := draw(texts):
        embed.set_author(name=author)
    return embed


def accepted_by_discord(content: str | None, sent: list[discord.Embed]) -> None:
    """Raises like Discord would (400) when the body breaks a limit."""
    body: dict[str, Any] = {"content": content, "embeds": [e.to_dict() for e in sent]}
    parse_message_body(body, [], Snowflakes())


@settings(max_examples=50, deadline=None)
@given(content=texts, many=st.lists(embeds(), max_size=12))
def test_fitted_messages_are_accepted(content: str, many: list[discord.Embed]) -> None:
    fitted = fit_embeds(many)
    accepted_by_discord(fit_content(content), fitted)
    assert sum(embed_size(e) for e in fitted) <= EMBEDS_TOTAL
    assert len(fitted) == min(len(many), 10)


@settings(max_examples=50, deadline=None)
@given(embed=embeds())
def test_an_embed_that_fits_is_left_as_it_is(embed: discord.Embed) -> None:
    fitted = fit_embed(embed)
    try:
        accepted_by_discord(None, [embed])
    except Exception:
        return  # it did not fit: covered above
    assert fitted.to_dict() == embed.to_dict()


@settings(max_examples=50, deadline=None)
@given(pairs=st.lists(st.tuples(texts, texts), max_size=40))
def test_fitted_choices_are_accepted(pairs: list[tuple[str, str]]) -> None:
    choices = [app_commands.Choice(name=name, value=value) for name, value in pairs]
    fitted = fit_choices(choices)
    Interactions._check_choices([c.to_dict() for c in fitted])
    assert all(1 <= len(c.value) <= 100 for c in fitted)
    kept = [c.value for c in fitted]
    assert kept == [v for _, v in pairs if 1 <= len(v) <= 100][:25]


@settings(max_examples=50, deadline=None)
@given(text=texts, limit=st.integers(0, 3000))
def test_clip_keeps_short_text_and_marks_a_cut(text: str, limit: int) -> None:
    clipped = clip(text, limit)
    assert len(clipped) <= limit
    if len(text) <= limit:
        assert clipped == text
    elif limit:
        assert clipped.endswith("…") and text.startswith(clipped[:-1])


@settings(max_examples=50, deadline=None)
@given(text=st.text(max_size=5000), limit=st.integers(1, 100))
def test_echo_is_short_single_line_and_inert(text: str, limit: int) -> None:
    shown = echo(text, limit)
    assert len(shown) <= 2 * limit + 2
    assert "\n" not in shown and "@everyone" not in shown and "<@" not in shown
    assert "**" not in shown.replace("\\*", "")
    rendered = discord.utils.remove_markdown(shown.replace("\u200b", ""))
    assert len(rendered) <= 2 * limit + 2


def test_content_never_exceeds_2000_and_mass_mentions_are_inert() -> None:
    fitted = fit_content("@everyone " + "x" * 5000)
    assert fitted is not None and len(fitted) == CONTENT
    assert not fitted.startswith("@everyone")


@pytest.mark.parametrize("typed", ["2026-W47", "30d", "2027-01-31"])
def test_plain_values_are_echoed_unchanged(typed: str) -> None:
    assert echo(typed) == typed
