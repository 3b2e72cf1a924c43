"""How a weekly report reads: embed cards with week-over-week deltas, and a text table."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from bot.core.ports import Attachment, Card, EmbedField, OutgoingMessage
from bot.services.stats.paid import mrr_total
from bot.services.stats.report import WeeklyReport

DEFINITIONS = "docs/metrics.md"
GREEN, RED, GREY, BLUE = 0x2ECC71, 0xE74C3C, 0x95A5A6, 0x2F6FDE
TOP_CONTENT_LINES = 5
Numbers = Mapping[str, Any]  # a report's JSON form (`WeeklyReport.to_json`)


def pct(value: float | None, digits: int = 1) -> str:
    """A fraction as a percentage ("n/a" for null)."""
    return "n/a" if value is None else f"{value * 100:.{digits}f} %"


def signed_pct(value: float | None, digits: int = 1) -> str:
    """A change as a signed percentage ("+4.8 %"; "n/a" for null)."""
    return "n/a" if value is None else f"{value * 100:+.{digits}f} %"


def _mark(change: float, *, higher_is_better: bool = True) -> str:
    if change == 0:
        return "⚪ ="
    good = (change > 0) == higher_is_better
    return f"{'🟢' if good else '🔴'} {'▲' if change > 0 else '▼'}"


def count_delta(now: int, before: int | None, *, higher_is_better: bool = True) -> str:
    """ "🟢 ▲ +12" style change of a count since last week ("" without last week)."""
    if before is None:
        return ""
    change = now - before
    relative = f" ({change / before:+.1%})" if before and change else ""
    return f"{_mark(change, higher_is_better=higher_is_better)} {change:+,}{relative}"


def points_delta(now: float | None, before: float | None, *, higher_is_better: bool = True) -> str:
    """ "🔴 ▼ -1.2 pp" style change of a fraction since last week ("" when either is null)."""
    if now is None or before is None:
        return ""
    change = round((now - before) * 100, 1)
    return f"{_mark(change, higher_is_better=higher_is_better)} {change:+.1f} pp"


def _get(numbers: Numbers | None, *path: str) -> Any:
    value: Any = numbers
    for key in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


def _lines(*parts: str) -> str:
    return "\n".join(part for part in parts if part)


def headline_fields(report: WeeklyReport, previous: Numbers | None) -> tuple[EmbedField, ...]:
    """The report's headline numbers, each with its change since the previous week."""
    m, a, p, q, f = report.members, report.activity, report.paid, report.qa, report.funnel
    top = [
        f"{i}. {c.title or f'item {c.content_id}'} — {c.opens:,} opens ({pct(c.share, 0)})"
        for i, c in enumerate(report.content[:TOP_CONTENT_LINES], start=1)
    ]
    answerers = ", ".join(
        f"<@{x.user_id}> ({x.accepted} accepted, {x.first_answers} first)"
        for x in q.top_answerers[:3]
    )
    mrr_before = _get(previous, "paid", "mrr") or {}
    mrr_change = " · ".join(
        f"{cur.upper()} {amount - mrr_before.get(cur, 0.0):+,.2f}"
        for cur, amount in sorted(p.mrr.items())
        if previous is not None and round(amount - mrr_before.get(cur, 0.0), 2)
    )
    rates = f.rates()
    grown = m.end - m.start  # the week's own change: last week's end is this week's start
    return (
        EmbedField(
            "👥 Members",
            _lines(
                f"**{m.end:,}** (from {m.start:,})",
                f"{_mark(grown)} {grown:+,} · net {signed_pct(report.net_growth)}",
                f"joined {m.joined:,} · left {m.left:,}",
            ),
        ),
        EmbedField(
            "🔁 Retention",
            _lines(
                f"**{pct(report.member_retention)}** · churn {pct(report.churn)}",
                points_delta(report.member_retention, _get(previous, "member_retention")),
                f"new members: {pct(report.new_member_retention)} "
                + points_delta(report.new_member_retention, _get(previous, "new_member_retention")),
            ),
        ),
        EmbedField(
            "📈 Active members",
            _lines(
                f"WAU **{report.wau:,}** · MAU **{report.mau:,}**",
                count_delta(report.wau, _get(previous, "wau")),
                f"daily ⌀ {report.dau_mean:,.1f} · stickiness {pct(report.stickiness)}",
            ),
        ),
        EmbedField(
            "💬 Activity",
            _lines(
                f"**{a.interactions:,}** interactions",
                count_delta(a.interactions, _get(previous, "activity", "interactions")),
                f"{_num(a.per_member)} per member · {_num(a.per_active_member)} per active",
                f"{report.communicators:,} communicators",
            ),
        ),
        EmbedField(
            "💳 Paid",
            _lines(
                f"**{p.paying:,}** paying ({p.new:,} new, {p.churned:,} churned)",
                count_delta(p.paying, _get(previous, "paid", "paying")),
                f"MRR {mrr_total(p.mrr)}" + (f" ({mrr_change})" if mrr_change else ""),
                f"30-day conversion {pct(p.conversion_30d)}",
            ),
        ),
        EmbedField(
            "❓ Q&A",
            _lines(
                f"**{q.asked:,}** asked · {pct(q.answered_pct, 0)} answered · "
                f"{pct(q.solved_pct, 0)} solved",
                "first answer after " + _minutes(q.median_first_answer_minutes),
                f"top: {answerers}" if answerers else "",
            )
            if q.asked
            else "No questions asked.",
        ),
        EmbedField("📚 Top content", "\n".join(top) or "No content opened.", inline=False),
        EmbedField(
            "🚪 New-member funnel",
            f"joined {f.joined:,} → onboarded {f.onboarded:,} ({pct(rates['onboarded_rate'], 0)})"
            f" → active {f.active:,} ({pct(rates['active_rate'], 0)})"
            f" → paid {f.paid:,} ({pct(rates['paid_rate'], 0)})",
            inline=False,
        ),
    )


def _minutes(value: float | None) -> str:
    return "n/a" if value is None else f"{value:,.0f} min (median)"


def _num(value: float | None) -> str:
    return "n/a" if value is None else f"{value:,.2f}"


def week_span(report: WeeklyReport) -> str:
    """ "Mon 16 Nov to Sun 22 Nov 2026 (Europe/Berlin)"."""
    first, last = report.week.monday, report.week.monday + timedelta(days=6)
    span = f"Mon {first:%d %b} to Sun {last:%d %b %Y} ({report.timezone})"
    return f"{span} · so far: the week is not over" if report.in_progress else span


def footer(report: WeeklyReport) -> str:
    """The definitions link and the rules every number follows."""
    return (
        f"Definitions: {DEFINITIONS} · weeks run Monday 00:00 to Monday 00:00 "
        f"{report.timezone} · bots never count · n/a = nothing to divide by"
    )


def report_message(
    report: WeeklyReport, previous: Numbers | None, charts: Mapping[str, bytes]
) -> OutgoingMessage:
    """The weekly post: headline card with deltas, then the cohort and content charts."""
    growth = report.net_growth
    colour = GREY if growth is None else GREEN if growth >= 0 else RED
    versus = f"vs {report.week.shift(-1)}" if previous is not None else "no earlier week stored"
    cards = [
        Card(
            title=f"📊 Weekly report — {report.week}",
            description=f"{week_span(report)} · changes {versus}",
            colour=colour,
            fields=headline_fields(report, previous),
            footer=footer(report),
            image_file="daily-active.png" if "daily-active.png" in charts else None,
        )
    ]
    if "cohort-retention.png" in charts:
        cards.append(
            Card(
                title="Cohort retention",
                description="Share of each join-week cohort active k weeks after first joining.",
                colour=BLUE,
                image_file="cohort-retention.png",
            )
        )
    if "top-content.png" in charts:
        cards.append(Card(title="Top content", colour=BLUE, image_file="top-content.png"))
    files = tuple(Attachment(name, data) for name, data in charts.items())
    return OutgoingMessage(cards=tuple(cards), files=files)


def retention_message(report: WeeklyReport, chart: bytes) -> OutgoingMessage:
    """`/stats retention`: the cohort table as a heatmap, with new-member retention."""
    card = Card(
        title=f"Cohort retention — to {report.week}",
        description=(
            "Share of each join-week cohort active k weeks after first joining.\n"
            f"New-member retention (last week's joiners active this week): "
            f"**{pct(report.new_member_retention)}**"
        ),
        colour=BLUE,
        footer=footer(report),
        image_file="cohort-retention.png",
    )
    return OutgoingMessage(cards=(card,), files=(Attachment("cohort-retention.png", chart),))


def content_message(report: WeeklyReport, chart: bytes) -> OutgoingMessage:
    """`/stats content`: the week's most opened items with share and reach."""
    lines = [
        f"{i}. **{c.title or f'item {c.content_id}'}** — {c.opens:,} opens · "
        f"{pct(c.share)} of opens · reach {pct(c.reach)}"
        for i, c in enumerate(report.content[:10], start=1)
    ]
    card = Card(
        title=f"Top content — {report.week}",
        description="\n".join(lines) or "No content was opened this week.",
        colour=BLUE,
        footer=footer(report),
        image_file="top-content.png",
    )
    return OutgoingMessage(cards=(card,), files=(Attachment("top-content.png", chart),))
