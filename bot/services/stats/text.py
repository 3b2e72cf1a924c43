"""A weekly report as a plain-text table (`lyceum stats` without `--json`)."""

from __future__ import annotations

from datetime import timedelta

from bot.core.text import t
from bot.services.stats.funnel import steps_text
from bot.services.stats.paid import mrr_total
from bot.services.stats.presentation import DEFINITIONS, pct, signed_pct, week_span
from bot.services.stats.report import WeeklyReport
from bot.services.stats.sources import source_lines


def _row(label: str, value: str) -> str:
    return f"  {label:<20} {value}"


def _n(value: float, spec: str = ",") -> str:
    return format(value, spec)


def text_report(report: WeeklyReport) -> str:
    """Every number of the report, aligned for a terminal."""
    m, a, p, q, f = report.members, report.activity, report.paid, report.qa, report.funnel
    rates = f.rates()
    per_member = t("n/a") if a.per_member is None else _n(a.per_member, ",.2f")
    per_active = t("n/a") if a.per_active_member is None else _n(a.per_active_member, ",.2f")
    median = (
        t("n/a")
        if q.median_first_answer_minutes is None
        else t("{minutes} min", minutes=_n(q.median_first_answer_minutes, ",.1f"))
    )
    days = " · ".join(f"{day:%a} {count:,}" for day, count in report.daily_active)
    members = t(
        "{start} → {end} (joined {joined}, left {left})",
        start=_n(m.start),
        end=_n(m.end),
        joined=_n(m.joined),
        left=_n(m.left),
    )
    retention = t(
        "{retention} (churn {churn})",
        retention=pct(report.member_retention),
        churn=pct(report.churn),
    )
    activity = t(
        "{count} interactions · {per_member} per member · {per_active} per active member",
        count=_n(a.interactions),
        per_member=per_member,
        per_active=per_active,
    )
    wau_mau = t(
        "{wau} / {mau} · stickiness {stickiness}",
        wau=_n(report.wau),
        mau=_n(report.mau),
        stickiness=pct(report.stickiness),
    )
    paid = t(
        "{paying} paying (was {start}; {new} new, {churned} churned) · MRR {mrr}",
        paying=_n(p.paying),
        start=_n(p.paying_start),
        new=_n(p.new),
        churned=_n(p.churned),
        mrr=mrr_total(p.mrr),
    )
    conversion = t(
        "{conversion} of {cohort} members joined 60 to 30 days ago",
        conversion=pct(p.conversion_30d),
        cohort=_n(p.conversion_cohort),
    )
    qa = t(
        "{asked} asked · {answered} answered · {solved} solved · "
        "median time to a first answer {median}",
        asked=_n(q.asked),
        answered=pct(q.answered_pct),
        solved=pct(q.solved_pct),
        median=median,
    )
    funnel = t(
        "joined {joined} → onboarded {onboarded} ({onboarded_rate}) → "
        "active {active} ({active_rate}) → paid {paid} ({paid_rate})",
        joined=_n(f.joined),
        onboarded=_n(f.onboarded),
        onboarded_rate=pct(rates["onboarded_rate"]),
        active=_n(f.active),
        active_rate=pct(rates["active_rate"]),
        paid=_n(f.paid),
        paid_rate=pct(rates["paid_rate"]),
    )
    onboarding_rows = [_row(t("Onboarding"), steps_text(f.steps))] if f.steps else []
    onboarding_rows += [
        _row(t("Sources") if i == 0 else "", line) for i, line in enumerate(source_lines(f.sources))
    ]
    daily = t("mean {mean} ({days})", mean=_n(report.dau_mean, ",.1f"), days=days)
    lines = [
        t("Weekly report — guild {guild_id}, {week}", guild_id=report.guild_id, week=report.week),
        f"  {week_span(report)}",
        "",
        _row(t("Members"), members),
        _row(t("Net growth"), signed_pct(report.net_growth)),
        _row(t("Member retention"), retention),
        _row(t("New-member retention"), pct(report.new_member_retention)),
        _row(t("Activity"), activity),
        _row(t("Daily active"), daily),
        _row(t("WAU / MAU"), wau_mau),
        _row(t("Communicators"), _n(report.communicators)),
        _row(t("Paid"), paid),
        _row(t("Conversion (30 days)"), conversion),
        _row(t("Q&A"), qa),
        _row(t("Funnel"), funnel),
        *onboarding_rows,
        "",
        t("Cohort retention (share active k weeks after first joining)"),
        t("  cohort       size ")
        + "".join(f"{k:>7}" for k in range(max(len(c.retention) for c in report.cohorts))),
    ]  # fmt: skip
    for cohort in report.cohorts:
        cells = "".join(f"{pct(r, 0):>7}" for r in cohort.retention)
        lines.append(f"  {cohort.week!s:<10} {cohort.size:>6} {cells}")
    lines += ["", t("Top content"), t("  id        opens   share   reach  title")]
    for item in report.content[:10]:
        lines.append(
            f"  {item.content_id:<8} {item.opens:>6} {pct(item.share):>7} {pct(item.reach):>7}  "
            f"{item.title or t('(unknown item)')}"
        )
    if not report.content:
        lines.append(t("  (nothing opened this week)"))
    if q.top_answerers:
        lines += ["", t("Top answerers (accepted, first answers)")]
        lines += [f"  {x.user_id}: {x.accepted}, {x.first_answers}" for x in q.top_answerers]
    lines += ["", t("Feedback sent with /feedback: {count}", count=report.feedback)]
    if report.top_helpers:
        lines += ["", t("Top helpers (points earned)")]
        lines += [f"  {h.user_id}: {h.points}" for h in report.top_helpers]
    lines += [
        "",
        t(
            "Definitions: {definitions}. Bots never count; n/a = nothing to divide by.",
            definitions=DEFINITIONS,
        ),
    ]
    end = report.week.monday + timedelta(days=7)
    lines.append(
        t(
            "WAU is the week; MAU the 30 days to {end} 00:00 ({timezone}).",
            end=format(end, "%a %d %b"),
            timezone=report.timezone,
        )
    )
    return "\n".join(lines)
