"""Discord's size limits, applied in one place to everything the bot sends.

Discord answers 400 to a message, embed or autocomplete answer one character too long,
and a member then sees "thinking..." forever. Every reply goes through `respond`, every
post and DM through `bot.discord_ports.send`, every autocomplete through `fit_choices`,
and all of them clip here (lengths in code points, as Discord counts them). String
options declare their bound to Discord and the bot checks it again (`BoundedText`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import discord
from discord import app_commands

from bot.core.errors import InvalidInput
from bot.core.text import t

CONTENT = 2000
EMBEDS = 10
EMBED_TITLE = 256
EMBED_DESCRIPTION = 4096
EMBED_FIELDS = 25
FIELD_NAME = 256
FIELD_VALUE = 1024
FOOTER = 2048
AUTHOR = 256
EMBEDS_TOTAL = 6000  # all embeds of one message together
CHOICES = 25
CHOICE_NAME = 100
CHOICE_VALUE = 100
BUTTON_LABEL = 80
ELLIPSIS = "…"
BLANK = "\u200b"  # Discord refuses empty field names and values
NO_MENTIONS = discord.AllowedMentions.none()


def inert(text: str) -> str:
    """@everyone and @here shown as text: they never ping (no allowed mentions) nor glow."""
    return text.replace("@everyone", "@\u200beveryone").replace("@here", "@\u200bhere")


def fit_content(text: str | None) -> str | None:
    """Message text within 2,000 characters, mass mentions inert; None when empty."""
    return clip(inert(text), CONTENT) if text else None


def clip(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, ending in "…" when cut."""
    if len(text) <= limit:
        return text
    return text[: max(0, limit - 1)] + ELLIPSIS if limit > 0 else ""


def embed_size(embed: discord.Embed) -> int:
    """The characters Discord counts against the 6,000 of a message's embeds."""
    return _size(dict(embed.to_dict()))


def _size(data: dict[str, Any]) -> int:
    size = len(data.get("title") or "") + len(data.get("description") or "")
    fields = data.get("fields") or []
    size += sum(len(f.get("name") or "") + len(f.get("value") or "") for f in fields)
    size += len((data.get("footer") or {}).get("text") or "")
    return size + len((data.get("author") or {}).get("name") or "")


def _clip_part(data: dict[str, Any], part: str, key: str | None, limit: int) -> None:
    """Clip `data[part]` (or `data[part][key]`) to `limit`; drop it when nothing is left."""
    holder = data.get(part) if key else data
    name = key or part
    if not isinstance(holder, dict) or not holder.get(name):
        return
    text = clip(str(holder[name]), limit)
    if text:
        holder[name] = text
    else:
        del data[part]  # a footer or author goes with its text


def fit_embed(embed: discord.Embed, budget: int = EMBEDS_TOTAL) -> discord.Embed:
    """A copy within every per-part limit and at most `budget` characters in total.

    Over budget, the description gives way first, then the last fields, then the footer,
    the author and the title.
    """
    data: dict[str, Any] = dict(embed.to_dict())
    _clip_part(data, "title", None, EMBED_TITLE)
    _clip_part(data, "description", None, EMBED_DESCRIPTION)
    _clip_part(data, "footer", "text", FOOTER)
    _clip_part(data, "author", "name", AUTHOR)
    fields = [
        {
            **item,
            "name": clip(str(item.get("name") or BLANK), FIELD_NAME),
            "value": clip(str(item.get("value") or BLANK), FIELD_VALUE),
        }
        for item in list(data.pop("fields", None) or [])[:EMBED_FIELDS]
    ]
    if fields:
        data["fields"] = fields
    budget = max(0, budget)
    over = _size(data) - budget
    if over > 0:
        _clip_part(data, "description", None, len(data.get("description") or "") - over)
    while _size(data) > budget and data.get("fields"):
        data["fields"].pop()
    for part, key in (("footer", "text"), ("author", "name"), ("title", None)):
        over = _size(data) - budget
        if over > 0:
            holder = data.get(part) if key else data
            current = (holder or {}).get(key or part) or ""
            _clip_part(data, part, key, len(current) - over)
    return discord.Embed.from_dict(data)


def fit_embeds(embeds: Iterable[discord.Embed]) -> list[discord.Embed]:
    """At most ten embeds sharing the 6,000 characters, in order."""
    fitted: list[discord.Embed] = []
    budget = EMBEDS_TOTAL
    for embed in list(embeds)[:EMBEDS]:
        one = fit_embed(embed, budget)
        budget -= embed_size(one)
        fitted.append(one)
    return fitted


def fit_choices(
    choices: Iterable[app_commands.Choice[str]],
) -> list[app_commands.Choice[str]]:
    """At most 25 choices, names clipped to 100; a value too long to send is left out."""
    fitted = []
    for choice in choices:
        if not 1 <= len(choice.value) <= CHOICE_VALUE:
            continue  # a clipped value would name something else
        name = clip(" ".join(choice.name.split()) or choice.value, CHOICE_NAME)
        fitted.append(app_commands.Choice(name=name, value=choice.value))
        if len(fitted) == CHOICES:
            break
    return fitted


def fit_view(view: discord.ui.View | None) -> discord.ui.View | None:
    """The view with every button label clipped to 80 characters."""
    if view is not None:
        for item in view.children:
            if isinstance(item, discord.ui.Button) and item.label:
                item.label = clip(item.label, BUTTON_LABEL)
    return view


async def respond(
    interaction: discord.Interaction,
    content: str = "",
    *,
    embeds: Sequence[discord.Embed] = (),
    files: Sequence[discord.File] = (),
    view: discord.ui.View | None = None,
    ephemeral: bool = True,
) -> None:
    """Answer the interaction (or follow up a deferral) within Discord's limits, pinging nobody."""
    options: dict[str, Any] = {"ephemeral": ephemeral, "allowed_mentions": NO_MENTIONS}
    if content:
        options["content"] = fit_content(content)
    if embeds:
        options["embeds"] = fit_embeds(embeds)
    if files:
        options["files"] = list(files)
    if view is not None:
        options["view"] = fit_view(view)
    if interaction.response.is_done():
        await interaction.followup.send(**options)
    else:
        await interaction.response.send_message(**options)


class BoundedText(app_commands.Transformer):
    """A string option whose length Discord is told (min/max_length) and the bot checks again."""

    def __init__(self, max_length: int, *, what: Callable[[], str], min_length: int = 1) -> None:
        self._min = min_length
        self._max = max_length
        self._what = what

    @property
    def type(self) -> discord.AppCommandOptionType:
        """A string option."""
        return discord.AppCommandOptionType.string

    @property
    def min_value(self) -> int:
        """Declared to Discord as the option's `min_length`."""
        return self._min

    @property
    def max_value(self) -> int:
        """Declared to Discord as the option's `max_length`."""
        return self._max

    async def transform(self, interaction: discord.Interaction, value: Any, /) -> str:
        """The text when its length is within bounds; `InvalidInput` otherwise."""
        text = str(value)
        if not self._min <= len(text) <= self._max:
            raise InvalidInput(
                t(
                    "{what} is {min} to {max} characters long; you sent {sent}.",
                    what=self._what(),
                    min=self._min,
                    max=self._max,
                    sent=format(len(text), ","),
                )
            )
        return text


class BoundedInt(app_commands.Transformer):
    """An integer option whose range Discord is told (min/max_value) and the bot checks again."""

    def __init__(self, low: int, high: int, *, what: Callable[[], str]) -> None:
        self._low = low
        self._high = high
        self._what = what

    @property
    def type(self) -> discord.AppCommandOptionType:
        """An integer option."""
        return discord.AppCommandOptionType.integer

    @property
    def min_value(self) -> int:
        """Declared to Discord as the option's `min_value`."""
        return self._low

    @property
    def max_value(self) -> int:
        """Declared to Discord as the option's `max_value`."""
        return self._high

    async def transform(self, interaction: discord.Interaction, value: Any, /) -> int:
        """The number when it is within bounds; `InvalidInput` otherwise."""
        number = int(value)
        if not self._low <= number <= self._high:
            raise InvalidInput(
                t(
                    "{what} is between {low} and {high}.",
                    what=self._what(),
                    low=self._low,
                    high=self._high,
                )
            )
        return number
