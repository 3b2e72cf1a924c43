"""Turning billing results into Discord text (no rules here)."""

from __future__ import annotations

import discord

from bot.services.billing import Actor, EntitlementView, TierView


def actor_of(interaction: discord.Interaction) -> Actor:
    """The permissions that matter for moderator commands."""
    user = interaction.user
    roles = frozenset(role.id for role in getattr(user, "roles", []))
    perms = interaction.permissions
    return Actor(user.id, roles, perms.manage_guild or perms.manage_roles or perms.administrator)


def _when(moment: object) -> str:
    return discord.utils.format_dt(moment, "D") if moment is not None else "—"  # type: ignore[arg-type]


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
    return f"**{view.tier}** · {view.source} · {view.status} · {state}{tail}"


def tier_line(view: TierView) -> str:
    """One line per tier."""
    state = "" if view.enabled else " · disabled"
    return (
        f"`{view.key}` **{view.name}** · {view.kind} · `{view.stripe_price_id}` · "
        f"<@&{view.role_id}>{state}"
    )


def clip(text: str, limit: int = 1900) -> str:
    """Keep a reply inside Discord's message limit."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
