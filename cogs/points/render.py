"""Turning points results into Discord text (no rules here)."""

from __future__ import annotations

import discord

from bot.core.text import t
from bot.services.points import (
    BoardRow,
    BoardView,
    HistoryLine,
    Ladder,
    PointsView,
    RescoreView,
    rule_name,
)


def plain(text: str) -> str:
    """Stored text shown inert (no markdown, no mentions)."""
    return discord.utils.escape_mentions(discord.utils.escape_markdown(text))


def cause_text(line: HistoryLine) -> str:
    """What caused an entry, in words."""
    kind, _, value = line.cause.partition(":")
    if kind == "answer":
        return t("answer {id}", id=value)
    if kind == "question":
        return t("question #{id}", id=value)
    if kind == "member":
        return t("finishing onboarding")
    if kind == "week":
        return t("drops opened in week {week}", week=value)
    return ""


def history_line(line: HistoryLine) -> str:
    """One entry: points, rule, cause, and what kind of entry it is."""
    when = discord.utils.format_dt(line.at, "d")
    head = f"`{line.delta:+d}` **{rule_name(line.rule)}**"
    if line.kind == "adjust":
        return t(
            "{head} by <@{actor}>: {reason} · {when}",
            head=head,
            actor=line.actor_id,
            reason=plain(line.note),
            when=when,
        )
    cause = cause_text(line)
    if line.kind == "reverse":
        detail = t("taken back: {cause}", cause=cause)
    elif line.kind == "rescore":
        detail = t("{cause}, re-scored ({note})", cause=cause, note=line.note)
    elif line.delta == 0:
        detail = t("{cause} (daily limit reached)", cause=cause)
    else:
        detail = cause
    return f"{head} · {detail} · {when}"


def points_text(view: PointsView) -> str:
    """`/points show`: balances, level and the explained history."""
    level = t("Level {number}: **{name}**", number=view.level.number, name=plain(view.level.name))
    if view.next_level is not None:
        level += " " + t(
            "({missing} to {name})",
            missing=view.next_level.threshold - view.all_time,
            name=plain(view.next_level.name),
        )
    lines = [
        t(
            "**{total}** points · this week {week} · this month {month}",
            total=view.all_time,
            week=view.week,
            month=view.month,
        ),
        level,
    ]
    if view.hidden:
        lines.append(t("You are hidden on the boards (/profile leaderboard show to appear)."))
    if not view.lines:
        lines.append(t("No points yet: answer someone's question to earn your first."))
        return "\n".join(lines)
    lines.append(t("Latest ({shown} of {total}):", shown=len(view.lines), total=view.total_lines))
    lines += [history_line(line) for line in view.lines]
    return "\n".join(lines)


def _who(row: BoardRow) -> str:
    return t("anonymous") if row.hidden else f"<@{row.user_id}>"


def board_text(view: BoardView, user_id: int) -> str:
    """`/leaderboard`: the top, then the caller's own place when it is not shown."""
    titles = {"week": t("This week"), "month": t("This month"), "all": t("All time")}
    lines = [f"**{titles[view.period]}**"]
    if not view.rows:
        lines.append(t("Nobody has points in this period yet."))
    for row in view.rows:
        mark = " ←" if row.user_id == user_id else ""
        lines.append(f"{row.rank}. {_who(row)} — {row.points}{mark}")
    own = view.own
    if own is None:
        lines.append(t("You have no points in this period yet."))
    elif all(row.user_id != user_id for row in view.rows):
        lines.append(t("You: #{rank} with {points}", rank=own.rank, points=own.points))
    return "\n".join(lines)


def rescore_text(view: RescoreView) -> str:
    """A re-score's preview or result."""
    changes = ", ".join(f"`{k}` {before} → {after}" for k, (before, after) in view.changes.items())
    head = (
        t("Re-scored: {changes}", changes=changes)
        if view.applied
        else t("Re-score preview: {changes}", changes=changes)
    )
    lines = [
        head,
        t(
            "{members} member(s) change: +{gained} gained, -{lost} lost in total.",
            members=view.members,
            gained=view.gained,
            lost=view.lost,
        ),
    ]
    if view.top:
        lines.append(t("Top movers:"))
        lines += [f"<@{m.user_id}> {m.before} → {m.after} (`{m.change:+d}`)" for m in view.top]
    if not view.applied:
        lines.append(t("Nothing changes until you press Apply."))
    return "\n".join(lines)


def levels_text(ladder: Ladder) -> str:
    """The guild's levels."""
    return "\n".join(
        t(
            "{number}. **{name}** from {threshold} points{role}",
            number=level.number,
            name=plain(level.name),
            threshold=level.threshold,
            role=f" → <@&{level.role_id}>" if level.role_id else "",
        )
        for level in ladder.levels
    )
