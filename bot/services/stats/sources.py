"""Where members come from, per source or campaign: joins, onboarded, retained, paid.

The population is the members whose first join falls in the report's week or the
`SOURCE_WEEKS - 1` weeks before it. A source is the invite code the member joined through
(named by its campaign when moderators named it with `/setup invite`), or `unknown`.
- onboarded %: of those joins, the share who became members before the report's end;
- week-4 retention: of those who joined at least 4 weeks before the report's week, the
  share active in the 4th week after their join week (cohort week-4 retention);
- paid within 30 days: of those who joined at least 30 days before the report's end, the
  share who started paying within 30 days of joining.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.core.text import t
from bot.services.stats.paid import converted
from bot.services.stats.weeks import GuildCalendar, IsoWeek
from storage.database import Session
from storage.stats import onboarding, reads

SOURCE_WEEKS = 12
RETENTION_WEEK = 4
PAID_DAYS = 30
UNKNOWN = "unknown"


@dataclass(frozen=True)
class SourceStat:
    """One source's (or campaign's) members and how they did."""

    source: str
    codes: tuple[str, ...]  # the invite codes behind it
    joins: int
    onboarded_pct: float | None
    week4_retention: float | None
    week4_cohort: int  # joins old enough to have a week 4
    paid_30d: float | None
    paid_cohort: int  # joins at least 30 days old


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


async def source_numbers(
    session: Session, guild_id: int, week: IsoWeek, calendar: GuildCalendar, end: datetime
) -> tuple[SourceStat, ...]:
    """Every source's numbers for the report of `week` (ending at `end`)."""
    first_week = week.shift(-(SOURCE_WEEKS - 1))
    joiners = await reads.first_joins_between(
        session, guild_id, calendar.week_start(first_week), calendar.week_end(week)
    )
    if not joiners:
        return ()
    users = list(joiners)
    since = min(joiners.values())
    came_from = await onboarding.sources(session, guild_id, users)
    names = await onboarding.campaign_names(session, guild_id)
    onboarded = await onboarding.onboarded_times(session, guild_id, users, since, end)
    active = await reads.active_weeks(session, guild_id, users, first_week.monday, week.monday)
    first_paid = await reads.first_paid_starts(session, guild_id, users)
    groups: dict[str, list[int]] = defaultdict(list)
    codes: dict[str, set[str]] = defaultdict(set)
    for user in users:
        code = came_from.get(user) or UNKNOWN
        name = names.get(code, code)
        groups[name].append(user)
        if code != UNKNOWN:
            codes[name].add(code)
    found = []
    for name, members in groups.items():
        matured = [u for u in members if calendar.week_of(joiners[u]).shift(RETENTION_WEEK) <= week]
        retained = [
            u
            for u in matured
            if calendar.week_of(joiners[u]).shift(RETENTION_WEEK).monday in active.get(u, ())
        ]
        paid_cohort = [u for u in members if joiners[u] + timedelta(days=PAID_DAYS) <= end]
        paid = [
            u
            for u in paid_cohort
            if converted(joiners[u], first_paid.get(u), joiners[u] + timedelta(days=PAID_DAYS))
        ]
        found.append(
            SourceStat(
                source=name,
                codes=tuple(sorted(codes[name])),
                joins=len(members),
                onboarded_pct=_share(sum(u in onboarded for u in members), len(members)),
                week4_retention=_share(len(retained), len(matured)),
                week4_cohort=len(matured),
                paid_30d=_share(len(paid), len(paid_cohort)),
                paid_cohort=len(paid_cohort),
            )
        )
    found.sort(key=lambda s: (s.source == UNKNOWN, -s.joins, s.source))
    return tuple(found)


def _pct(value: float | None) -> str:
    return t("n/a") if value is None else f"{value:.0%}"


def source_lines(found: tuple[SourceStat, ...], limit: int = 5) -> list[str]:
    """One line per source (the biggest first, `unknown` last); none when nothing was
    attributed (the bot cannot read invites there: the post stays short)."""
    if all(stat.source == UNKNOWN for stat in found):
        return []
    return [
        t(
            "{source}: {joins} joined · {onboarded} onboarded · week 4 {retention} · "
            "paid in 30 d {paid}",
            source=stat.source,
            joins=format(stat.joins, ","),
            onboarded=_pct(stat.onboarded_pct),
            retention=_pct(stat.week4_retention),
            paid=_pct(stat.paid_30d),
        )
        for stat in found[:limit]
    ]
