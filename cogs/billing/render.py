"""Turning billing results into Discord text (no rules here)."""

from __future__ import annotations

import discord
from discord import app_commands

from bot.core.text import t
from bot.discord_limits import fit_choices
from bot.services.billing import EntitlementView, TierChoice, TierView


def _when(moment: object) -> str:
    return discord.utils.format_dt(moment, "D") if moment is not None else "—"  # type: ignore[arg-type]


def plain(text: str) -> str:
    """A stored name shown in bold: its own markdown and mentions stay inert."""
    return discord.utils.escape_mentions(discord.utils.escape_markdown(text))


def entitlement_line(view: EntitlementView) -> str:
    """One line per entitlement."""
    state = t("✅ active") if view.active else t("⛔ inactive")
    extra = []
    if view.current_period_end is not None:
        extra.append(t("period ends {date}", date=_when(view.current_period_end)))
    if view.ends_at is not None:
        extra.append(t("access ends {date}", date=_when(view.ends_at)))
    if view.grace_until is not None:
        extra.append(t("grace until {date}", date=_when(view.grace_until)))
    line = t(
        "**{tier}** · {source} · {status} · {state}",
        tier=plain(view.tier),
        source=view.source,
        status=view.status,
        state=state,
    )
    return t("{line} ({details})", line=line, details=", ".join(extra)) if extra else line


def tier_line(view: TierView) -> str:
    """One line per tier."""
    values = {
        "key": view.key,
        "name": plain(view.name),
        "kind": view.kind,
        "price_id": view.stripe_price_id,
        "role": f"<@&{view.role_id}>",
    }
    if view.enabled:
        return t("`{key}` **{name}** · {kind} · `{price_id}` · {role}", **values)
    return t("`{key}` **{name}** · {kind} · `{price_id}` · {role} · disabled", **values)


def tier_choices(choices: list[TierChoice]) -> list[app_commands.Choice[str]]:
    """Autocomplete choices for tiers: the name shown, the key sent."""
    return fit_choices(app_commands.Choice(name=c.name, value=c.key) for c in choices)
