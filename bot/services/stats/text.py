"""A weekly report as a plain-text table (`lyceum stats` without `--json`)."""

from __future__ import annotations

from datetime import timedelta

from bot.services.stats.paid import mrr_total
from bot.services.stats.presentation import DEFINITIONS, pct, signed_pct, week_span
from bot.services.stats.report import WeeklyReport


def _row(label: str, value: str) -> str:
    return f"  {label:<20} {value}"


def text_report(report: WeeklyReport) -> str:
    """Every number of the report, aligned for a terminal."""
    m, a, p, q, f = report.members, report.activity, report.paid, report.qa, report.funnel
    rates = f.rates()
    per_member = "n/a" if a.per_member is None else f"{a.per_member:,.2f}"
    per_active = "n/a" if a.per_active_member is None else f"{a.per_active_member:,.2f}"
    median = (
        "n/a"
        if q.median_first_answer_minutes is None
        else f"{q.median_first_answer_minutes:,.1f} min"
    )
    days = " · ".join(f"{day:%a} {count:,}" for day, count in report.daily_active)
    lines = [
        f"Weekly report — guild {report.guild_id}, {report.week}",
        f"  {week_span(report)}",
        "",
        _row("Members", f"{m.start:,} → {m.end:,} (joined {m.joined:,}, left {m.left:,})"),
        _row("Net growth", signed_pct(report.net_growth)),
        _row("Member retention", f"{pct(report.member_retention)} (churn {pct(report.churn)})"),
        _row("New-member retention", pct(report.new_member_retention)),
        _row(
            "Activity",
            f"{a.interactions:,} interactions · {per_member} per member · "
            f"{per_active} per active member",
        ),
        _row("Daily active", f"mean {report.dau_mean:,.1f} ({days})"),
        _row("WAU / MAU", f"{report.wau:,} / {report.mau:,} · stickiness {pct(report.stickiness)}"),
        _row("Communicators", f"{report.communicators:,}"),
        _row(
            "Paid",
            f"{p.paying:,} paying (was {p.paying_start:,}; {p.new:,} new, {p.churned:,} "
            f"churned) · MRR {mrr_total(p.mrr)}",
        ),
        _row(
            "Conversion (30 days)",
            f"{pct(p.conversion_30d)} of {p.conversion_cohort:,} members joined 60 to 30 days ago",
        ),
        _row(
            "Q&A",
            f"{q.asked:,} asked · {pct(q.answered_pct)} answered · {pct(q.solved_pct)} solved · "
            f"median time to a first answer {median}",
        ),
        _row(
            "Funnel",
            f"joined {f.joined:,} → onboarded {f.onboarded:,} ({pct(rates['onboarded_rate'])}) → "
            f"active {f.active:,} ({pct(rates['active_rate'])}) → paid {f.paid:,} "
            f"({pct(rates['paid_rate'])})",
        ),
        "",
        "Cohort retention (share active k weeks after first joining)",
        "  cohort       size "
        + "".join(f"{k:>7}" for k in range(max(len(c.retention) for c in report.cohorts))),
    ]
    for cohort in report.cohorts:
        cells = "".join(f"{pct(r, 0):>7}" for r in cohort.retention)
        lines.append(f"  {cohort.week!s:<10} {cohort.size:>6} {cells}")
    lines += ["", "Top content", "  id        opens   share   reach  title"]
    for item in report.content[:10]:
        lines.append(
            f"  {item.content_id:<8} {item.opens:>6} {pct(item.share):>7} {pct(item.reach):>7}  "
            f"{item.title or '(unknown item)'}"
        )
    if not report.content:
        lines.append("  (nothing opened this week)")
    if q.top_answerers:
        lines += ["", "Top answerers (accepted, first answers)"]
        lines += [f"  {x.user_id}: {x.accepted}, {x.first_answers}" for x in q.top_answerers]
    lines += ["", f"Definitions: {DEFINITIONS}. Bots never count; n/a = nothing to divide by."]
    end = report.week.monday + timedelta(days=7)
    lines.append(f"WAU is the week; MAU the 30 days to {end:%a %d %b} 00:00 ({report.timezone}).")
    return "\n".join(lines)
