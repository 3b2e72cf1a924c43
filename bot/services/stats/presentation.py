"""How a weekly report reads: embed cards with week-over-week deltas, and a text table."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from bot.core.ports import Attachment, Card, EmbedField, OutgoingMessage
from bot.core.text import nt, t
from bot.services.stats.funnel import steps_text
from bot.services.stats.paid import mrr_total
from bot.services.stats.report import WeeklyReport
from bot.services.stats.sources import source_lines

DEFINITIONS = "docs/metrics.md"
GREEN, RED, GREY, BLUE = 0x2ECC71, 0xE74C3C, 0x95A5A6, 0x2F6FDE
TOP_CONTENT_LINES = 5
Numbers = Mapping[str, Any]  # a report's JSON form (`WeeklyReport.to_json`)


def pct(value: float | None, digits: int = 1) -> str:
    """A fraction as a percentage ("n/a" for null)."""
    if value is None:
        return t("n/a")
    return t("{value} %", value=format(value * 100, f".{digits}f"))


def signed_pct(value: float | None, digits: int = 1) -> str:
    """A change as a signed percentage ("+4.8 %"; "n/a" for null)."""
    if value is None:
        return t("n/a")
    return t("{value} %", value=format(value * 100, f"+.{digits}f"))


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
    mark = _mark(change, higher_is_better=higher_is_better)
    return t("{mark} {change} pp", mark=mark, change=format(change, "+.1f"))


def _get(numbers: Numbers | None, *path: str) -> Any:
    value: Any = numbers
    for key in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


def _lines(*parts: str) -> str:
    return "\n".join(part for part in parts if part)


def _title(title: str | None, content_id: str) -> str:
    return title or t("item {content_id}", content_id=content_id)


def headline_fields(report: WeeklyReport, previous: Numbers | None) -> tuple[EmbedField, ...]:
    """The report's headline numbers, each with its change since the previous week."""
    m, a, p, q, f = report.members, report.activity, report.paid, report.qa, report.funnel
    top = [
        nt(
            "{rank}. {title} — {opens} open ({share})",
            "{rank}. {title} — {opens} opens ({share})",
            c.opens,
            rank=i,
            title=_title(c.title, c.content_id),
            opens=format(c.opens, ","),
            share=pct(c.share, 0),
        )
        for i, c in enumerate(report.content[:TOP_CONTENT_LINES], start=1)
    ]
    answerers = ", ".join(
        t(
            "{who} ({accepted} accepted, {first} first)",
            # A pseudonym (negative) is a member who deleted their data.
            who=f"<@{x.user_id}>" if x.user_id > 0 else t("a former member"),
            accepted=x.accepted,
            first=x.first_answers,
        )
        for x in q.top_answerers[:3]
    )
    mrr_before = _get(previous, "paid", "mrr") or {}
    mrr_change = " · ".join(
        f"{cur.upper()} {amount - mrr_before.get(cur, 0.0):+,.2f}"
        for cur, amount in sorted(p.mrr.items())
        if previous is not None and round(amount - mrr_before.get(cur, 0.0), 2)
    )
    mrr = (
        t("MRR {mrr} ({change})", mrr=mrr_total(p.mrr), change=mrr_change)
        if mrr_change
        else t("MRR {mrr}", mrr=mrr_total(p.mrr))
    )
    rates = f.rates()
    grown = m.end - m.start  # the week's own change: last week's end is this week's start
    return (
        EmbedField(
            t("👥 Members"),
            _lines(
                t("**{end}** (from {start})", end=format(m.end, ","), start=format(m.start, ",")),
                t(
                    "{mark} {change} · net {growth}",
                    mark=_mark(grown),
                    change=format(grown, "+,"),
                    growth=signed_pct(report.net_growth),
                ),
                t(
                    "joined {joined} · left {left}",
                    joined=format(m.joined, ","),
                    left=format(m.left, ","),
                ),
            ),
        ),
        EmbedField(
            t("🔁 Retention"),
            _lines(
                t(
                    "**{retention}** · churn {churn}",
                    retention=pct(report.member_retention),
                    churn=pct(report.churn),
                ),
                points_delta(report.member_retention, _get(previous, "member_retention")),
                t(
                    "new members: {retention} {change}",
                    retention=pct(report.new_member_retention),
                    change=points_delta(
                        report.new_member_retention, _get(previous, "new_member_retention")
                    ),
                ),
            ),
        ),
        EmbedField(
            t("📈 Active members"),
            _lines(
                t(
                    "WAU **{wau}** · MAU **{mau}**",
                    wau=format(report.wau, ","),
                    mau=format(report.mau, ","),
                ),
                count_delta(report.wau, _get(previous, "wau")),
                t(
                    "daily ⌀ {dau} · stickiness {stickiness}",
                    dau=format(report.dau_mean, ",.1f"),
                    stickiness=pct(report.stickiness),
                ),
            ),
        ),
        EmbedField(
            t("💬 Activity"),
            _lines(
                t("**{count}** interactions", count=format(a.interactions, ",")),
                count_delta(a.interactions, _get(previous, "activity", "interactions")),
                t(
                    "{per_member} per member · {per_active} per active",
                    per_member=_num(a.per_member),
                    per_active=_num(a.per_active_member),
                ),
                t("{count} communicators", count=format(report.communicators, ",")),
            ),
        ),
        EmbedField(
            t("💳 Paid"),
            _lines(
                t(
                    "**{paying}** paying ({new} new, {churned} churned)",
                    paying=format(p.paying, ","),
                    new=format(p.new, ","),
                    churned=format(p.churned, ","),
                ),
                count_delta(p.paying, _get(previous, "paid", "paying")),
                mrr,
                t("30-day conversion {conversion}", conversion=pct(p.conversion_30d)),
            ),
        ),
        EmbedField(
            t("❓ Q&A"),
            _lines(
                t(
                    "**{asked}** asked · {answered} answered · {solved} solved",
                    asked=format(q.asked, ","),
                    answered=pct(q.answered_pct, 0),
                    solved=pct(q.solved_pct, 0),
                ),
                t("first answer after {wait}", wait=_minutes(q.median_first_answer_minutes)),
                t(
                    "{unmarked} answered, never marked · {queue} waiting at week end",
                    unmarked=q.answered_unmarked,
                    queue=q.unanswered_at_end,
                ),
                t("closed: {outcomes}", outcomes=", ".join(f"{k} {n}" for k, n in q.outcomes))
                if q.outcomes
                else "",
                t("top: {answerers}", answerers=answerers) if answerers else "",
            )
            if q.asked
            else t("No questions asked."),
        ),
        EmbedField(t("📚 Top content"), "\n".join(top) or t("No content opened."), inline=False),
        EmbedField(
            t("🚪 New-member funnel"),
            t(
                "joined {joined} → onboarded {onboarded} ({onboarded_rate})"
                " → active {active} ({active_rate})"
                " → paid {paid} ({paid_rate})",
                joined=format(f.joined, ","),
                onboarded=format(f.onboarded, ","),
                onboarded_rate=pct(rates["onboarded_rate"], 0),
                active=format(f.active, ","),
                active_rate=pct(rates["active_rate"], 0),
                paid=format(f.paid, ","),
                paid_rate=pct(rates["paid_rate"], 0),
            )
            + (("\n" + steps_text(f.steps)) if f.steps else ""),
            inline=False,
        ),
        *(
            (EmbedField(t("🔗 Where members come from"), _lines(*sources), inline=False),)
            if (sources := source_lines(f.sources))
            else ()
        ),
        *_helpers_field(report),
        *_feedback_field(report),
    )


def _feedback_field(report: WeeklyReport) -> tuple[EmbedField, ...]:
    """How much feedback members sent (none: no field)."""
    if not report.feedback:
        return ()
    count = nt("{count} message", "{count} messages", report.feedback, count=report.feedback)
    return (EmbedField(t("📝 Feedback"), count),)


def _helpers_field(report: WeeklyReport) -> tuple[EmbedField, ...]:
    """The week's top helpers by points (none: no field)."""
    if not report.top_helpers:
        return ()
    names = ", ".join(
        t("<@{user_id}> ({points} pts)", user_id=h.user_id, points=h.points)
        for h in report.top_helpers
    )
    return (EmbedField(t("🏅 Top helpers"), names, inline=False),)


def _minutes(value: float | None) -> str:
    if value is None:
        return t("n/a")
    return t("{minutes} min (median)", minutes=format(value, ",.0f"))


def _num(value: float | None) -> str:
    return t("n/a") if value is None else format(value, ",.2f")


def week_span(report: WeeklyReport) -> str:
    """ "Mon 16 Nov to Sun 22 Nov 2026 (Europe/Berlin)"."""
    first, last = report.week.monday, report.week.monday + timedelta(days=6)
    values = {
        "first": format(first, "%d %b"),
        "last": format(last, "%d %b %Y"),
        "timezone": report.timezone,
    }
    if report.in_progress:
        return t("Mon {first} to Sun {last} ({timezone}) · so far: the week is not over", **values)
    return t("Mon {first} to Sun {last} ({timezone})", **values)


def footer(report: WeeklyReport) -> str:
    """The definitions link and the rules every number follows."""
    return t(
        "Definitions: {definitions} · weeks run Monday 00:00 to Monday 00:00 "
        "{timezone} · bots never count · n/a = nothing to divide by",
        definitions=DEFINITIONS,
        timezone=report.timezone,
    )


def _cohort_description() -> str:
    return t("Share of each join-week cohort active k weeks after first joining.")


def report_message(
    report: WeeklyReport, previous: Numbers | None, charts: Mapping[str, bytes]
) -> OutgoingMessage:
    """The weekly post: headline card with deltas, then the cohort and content charts."""
    growth = report.net_growth
    colour = GREY if growth is None else GREEN if growth >= 0 else RED
    description = (
        t("{span} · changes vs {week}", span=week_span(report), week=report.week.shift(-1))
        if previous is not None
        else t("{span} · changes no earlier week stored", span=week_span(report))
    )
    cards = [
        Card(
            title=t("📊 Weekly report — {week}", week=report.week),
            description=description,
            colour=colour,
            fields=headline_fields(report, previous),
            footer=footer(report),
            image_file="daily-active.png" if "daily-active.png" in charts else None,
        )
    ]
    if "cohort-retention.png" in charts:
        cards.append(
            Card(
                title=t("Cohort retention"),
                description=_cohort_description(),
                colour=BLUE,
                image_file="cohort-retention.png",
            )
        )
    if "top-content.png" in charts:
        cards.append(Card(title=t("Top content"), colour=BLUE, image_file="top-content.png"))
    files = tuple(Attachment(name, data) for name, data in charts.items())
    return OutgoingMessage(cards=tuple(cards), files=files)


def retention_message(report: WeeklyReport, chart: bytes) -> OutgoingMessage:
    """`/stats retention`: the cohort table as a heatmap, with new-member retention."""
    card = Card(
        title=t("Cohort retention — to {week}", week=report.week),
        description=t(
            "Share of each join-week cohort active k weeks after first joining.\n"
            "New-member retention (last week's joiners active this week): "
            "**{retention}**",
            retention=pct(report.new_member_retention),
        ),
        colour=BLUE,
        footer=footer(report),
        image_file="cohort-retention.png",
    )
    return OutgoingMessage(cards=(card,), files=(Attachment("cohort-retention.png", chart),))


def content_message(report: WeeklyReport, chart: bytes) -> OutgoingMessage:
    """`/stats content`: the week's most opened items with share and reach."""
    lines = [
        nt(
            "{rank}. **{title}** — {opens} open · {share} of opens · reach {reach}",
            "{rank}. **{title}** — {opens} opens · {share} of opens · reach {reach}",
            c.opens,
            rank=i,
            title=_title(c.title, c.content_id),
            opens=format(c.opens, ","),
            share=pct(c.share),
            reach=pct(c.reach),
        )
        for i, c in enumerate(report.content[:10], start=1)
    ]
    card = Card(
        title=t("Top content — {week}", week=report.week),
        description="\n".join(lines) or t("No content was opened this week."),
        colour=BLUE,
        footer=footer(report),
        image_file="top-content.png",
    )
    return OutgoingMessage(cards=(card,), files=(Attachment("top-content.png", chart),))
