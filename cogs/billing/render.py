"""Turning billing results into Discord text (no rules here)."""

from __future__ import annotations

import discord
from discord import app_commands

from bot.discord_limits import fit_choices
from bot.services.billing import EntitlementView, TierChoice, TierView


def _when(moment: object) -> str:
    return discord.utils.format_dt(moment, "D") if moment is not None else "—"  # type: ignore[arg-type]


def plain(text: str) -> str:
    """A stored name shown in bold: its own markdown and mentions stay inert."""
    return discord.utils.escape_mentions(discord.utils.escape_markdown(text))


def entitlement_line(view: EntitlementView) -> str:
    """One line per entitlement."""
    state = "✅ active" if view.active else "⛔ inactive"
    extra = []
    if view.current_period_end is not None:
        extra.append(f"period ends {_when(view.current_period_end)}")
    if view.ends_at is not None:
        extra.append(f"access ends {_when(view.ends_at)}")
    if view.grace_until is not None:
        extra.append(f"grace until {_when(view.grace_until)}")
    tail = f" ({', '.join(extra)})" if extra else ""
    return f"**{plain(view.tier)}** · {view.source} · {view.status} · {state}{tail}"


def tier_line(view: TierView) -> str:
    """One line per tier."""
    state = "" if view.enabled else " · disabled"
    return (
        f"`{view.key}` **{plain(view.name)}** · {view.kind} · `{view.stripe_price_id}` · "
        f"<@&{view.role_id}>{state}"
    )


def tier_choices(choices: list[TierChoice]) -> list[app_commands.Choice[str]]:
    """Autocomplete choices for tiers: the name shown, the key sent."""
    return fit_choices(app_commands.Choice(name=c.name, value=c.key) for c in choices)
