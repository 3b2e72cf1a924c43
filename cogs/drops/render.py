"""Turning drops results into Discord text and embeds (no rules here)."""

from __future__ import annotations

from datetime import datetime

import discord

from bot.core.text import t
from bot.services.drops import DropPreview, DropView, ItemView, LibraryPage, Opened
from bot.services.drops.repeat import describe


def plain(text: str) -> str:
    """Stored text shown inert (no markdown, no mentions)."""
    return discord.utils.escape_mentions(discord.utils.escape_markdown(text))


def stamp(moment: datetime, style: str = "F") -> str:
    """A Discord timestamp: each reader sees it in their own timezone."""
    return f"<t:{int(moment.timestamp())}:{style}>"


def access_text(item: ItemView) -> str:
    """Who may open the item."""
    if item.access == "tier":
        return t("🔒 {tier}", tier=item.tier_key or "")
    if item.access == "level":
        return t("🔒 level {level}", level=item.level or 0)
    return t("free")


def item_line(item: ItemView) -> str:
    """One line per item."""
    tags = " ".join(f"`{tag}`" for tag in item.tags)
    return t(
        "**#{id} {title}** · {access} {tags}",
        id=item.id, title=plain(item.title), access=access_text(item), tags=tags,
    )  # fmt: skip


def library_text(page: LibraryPage) -> str:
    """/library: one page of items, "for you" (not opened yet) marked."""
    if not page.entries:
        return t("Nothing in the library matches that yet.")
    lines = [
        ("✨ " if not entry.opened else "") + item_line(entry.item)
        + (f"\n{plain(entry.item.summary)[:200]}" if entry.item.summary else "")
        for entry in page.entries
    ]  # fmt: skip
    head = t("Library — page {page} of {pages} ({total} items; ✨ = not opened yet)",
             page=page.page + 1, pages=page.pages, total=page.total)  # fmt: skip
    return "\n".join([head, *lines])


def preview_text(preview: DropPreview) -> str:
    """The schedule preview: the instant(s) as Discord timestamps, where, how often."""
    times = "\n".join(f"- {stamp(i, 'F')} ({stamp(i, 'R')})" for i in preview.instants)
    head = (
        t("That time happens twice (the clocks go back). Which one?")
        if len(preview.instants) > 1
        else t("Confirm this drop:")
    )
    return "\n".join(
        (
            head,
            t(
                "**{title}** at {place} (a Discord event; no voice channel)",
                title=plain(preview.title),
                place=plain(preview.location or ""),
            )
            if preview.location
            else t(
                "**{title}** in <#{channel}>",
                title=plain(preview.title),
                channel=preview.channel_id,
            ),
            times,
            t(
                "Repeat: {rule} (timezone {zone})",
                rule=describe(preview.repeat),
                zone=preview.timezone,
            ),
        )
    )


def drop_line(view: DropView) -> str:
    """One line per drop."""
    return t(
        "#{id} **{title}** → <#{channel}> · {when} · {rule} · {status}",
        id=view.id, title=plain(view.title), channel=view.channel_id,
        when=stamp(view.scheduled_at, "f"), rule=describe(view.repeat), status=view.status,
    )  # fmt: skip


def drops_text(views: list[DropView]) -> str:
    """/drop list."""
    if not views:
        return t("No drops are scheduled.")
    return "\n".join(drop_line(v) for v in views)


def opened_embed(opened: Opened) -> discord.Embed:
    """The whole item, privately."""
    embed = discord.Embed(
        title=opened.item.title, description=opened.body or None, url=opened.item.link or None
    )
    if opened.item.link:
        embed.add_field(name=t("Link"), value=opened.item.link, inline=False)
    if opened.item.tags:
        embed.set_footer(text=" ".join(f"#{tag}" for tag in opened.item.tags))
    return embed


def locked_text(opened: Opened) -> str:
    """Why the member cannot open it yet, and how they could."""
    if opened.tier_key:
        return t("**{title}** is for **{tier}** members. Subscribe to open it:",
                 title=plain(opened.item.title), tier=opened.tier_key)  # fmt: skip
    if opened.level is not None:
        return t("**{title}** opens at level {level}. Keep helping others to get there!",
                 title=plain(opened.item.title), level=opened.level)  # fmt: skip
    if opened.unlocks_at is not None:
        return t("**{title}** unlocks for you {when}.", title=plain(opened.item.title),
                 when=stamp(opened.unlocks_at, "R"))  # fmt: skip
    return t("**{title}** is not open for you yet.", title=plain(opened.item.title))


def review_text(items: list[ItemView]) -> str:
    """/content review: the queue."""
    if not items:
        return t("No submissions are waiting.")
    return "\n".join(
        t("{line} — by <@{author}>", line=item_line(i), author=i.created_by) for i in items
    )
