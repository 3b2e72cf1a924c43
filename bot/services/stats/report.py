"""The weekly report as plain data, and its JSON form (`lyceum stats --json`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot.services.stats.funnel import FunnelStep
from bot.services.stats.sources import SourceStat
from bot.services.stats.weeks import IsoWeek

Fraction = float | None  # 0..1, or None when the denominator is zero


def ratio(numerator: float, denominator: float) -> float | None:
    """numerator / denominator, or None when the denominator is zero."""
    return None if not denominator else numerator / denominator


@dataclass(frozen=True)
class Members:
    """Members at the week's start and end, and the joins and leaves between."""

    start: int
    end: int
    joined: int
    left: int


@dataclass(frozen=True)
class Activity:
    """Active-kind interactions in the week, in total and per (active) member."""

    interactions: int
    per_member: float | None
    per_active_member: float | None


@dataclass(frozen=True)
class Cohort:
    """Members who first joined in `week`, and the share active k weeks later."""

    week: IsoWeek
    size: int
    retention: tuple[Fraction, ...]


@dataclass(frozen=True)
class ContentStat:
    """How one content item was consumed in the week."""

    content_id: str
    title: str | None
    opens: int
    share: Fraction
    reach: Fraction


@dataclass(frozen=True)
class Paid:
    """Paying members, their movement, revenue per month and conversion."""

    paying_start: int
    paying: int
    new: int
    churned: int
    mrr: Mapping[str, float]  # currency -> major units per month
    conversion_30d: Fraction
    conversion_cohort: int


@dataclass(frozen=True)
class Answerer:
    """A member who answered questions asked in the week."""

    user_id: int
    first_answers: int
    accepted: int


@dataclass(frozen=True)
class Helper:
    """A member who earned points for helping in the week (docs/points.md)."""

    user_id: int
    points: int


@dataclass(frozen=True)
class QA:
    """Questions asked in the week and how they were answered by its end."""

    asked: int
    answered_pct: Fraction
    median_first_answer_minutes: float | None
    solved_pct: Fraction
    top_answerers: tuple[Answerer, ...]
    # Answered by the week's end but never marked; the whole queue (any week) at its end;
    # how the questions closed in the week were closed (solved included).
    answered_unmarked: int = 0
    unanswered_at_end: int = 0
    outcomes: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class Funnel:
    """The week's new members, step by step (each step a subset of the one before)."""

    joined: int
    onboarded: int
    active: int
    paid: int
    # The onboarding steps (any order) and where members come from (stats/funnel.py,
    # stats/sources.py).
    steps: tuple[FunnelStep, ...] = ()
    sources: tuple[SourceStat, ...] = ()

    def rates(self) -> dict[str, Fraction]:
        """Each step as a fraction of the step before."""
        return {
            "onboarded_rate": ratio(self.onboarded, self.joined),
            "active_rate": ratio(self.active, self.onboarded),
            "paid_rate": ratio(self.paid, self.active),
        }


@dataclass(frozen=True)
class WeeklyReport:
    """Every number of one guild's week (definitions: docs/metrics.md)."""

    guild_id: int
    week: IsoWeek
    timezone: str
    start: datetime
    end: datetime
    members: Members
    net_growth: Fraction
    member_retention: Fraction
    churn: Fraction
    new_member_retention: Fraction
    activity: Activity
    daily_active: tuple[tuple[date, int], ...]  # the week's 7 days
    dau_mean: float
    wau: int
    mau: int
    stickiness: Fraction
    communicators: int
    cohorts: tuple[Cohort, ...]
    content: tuple[ContentStat, ...]
    paid: Paid
    qa: QA
    funnel: Funnel
    daily_active_history: tuple[tuple[date, int], ...]  # 8 weeks ending with this one
    in_progress: bool = False  # the week has not ended: its numbers are so far
    top_helpers: tuple[Helper, ...] = ()  # most points earned in the week
    drops: tuple[Any, ...] = ()  # DropItemWeek per item (bot/services/stats/drops_block.py)
    feedback: int = 0  # /feedback sent in the week

    def to_json(self) -> dict[str, Any]:
        """The JSON shape of `lyceum stats --json` (fractions 0..1, None as null)."""
        return {
            "guild_id": str(self.guild_id),
            "week": str(self.week),
            "members": {
                "start": self.members.start,
                "end": self.members.end,
                "joined": self.members.joined,
                "left": self.members.left,
            },
            "net_growth": _round(self.net_growth),
            "member_retention": _round(self.member_retention),
            "churn": _round(self.churn),
            "new_member_retention": _round(self.new_member_retention),
            "activity": {
                "interactions": self.activity.interactions,
                "per_member": _round(self.activity.per_member),
                "per_active_member": _round(self.activity.per_active_member),
            },
            "dau_mean": _round(self.dau_mean),
            "wau": self.wau,
            "mau": self.mau,
            "stickiness": _round(self.stickiness),
            "communicators": self.communicators,
            "cohorts": [
                {
                    "week": str(c.week),
                    "size": c.size,
                    "retention": [_round(r) for r in c.retention],
                }
                for c in self.cohorts
            ],
            "content": [
                {
                    "content_id": c.content_id,
                    "title": c.title,
                    "opens": c.opens,
                    "share": _round(c.share),
                    "reach": _round(c.reach),
                }
                for c in self.content
            ],
            "paid": {
                "paying": self.paid.paying,
                "new": self.paid.new,
                "churned": self.paid.churned,
                "mrr": {cur: round(amount, 2) for cur, amount in sorted(self.paid.mrr.items())},
                "conversion_30d": _round(self.paid.conversion_30d),
            },
            "qa": {
                "asked": self.qa.asked,
                "answered_pct": _round(self.qa.answered_pct),
                "median_first_answer_minutes": _round(self.qa.median_first_answer_minutes),
                "solved_pct": _round(self.qa.solved_pct),
                "top_answerers": [
                    {
                        "user_id": str(a.user_id),
                        "first_answers": a.first_answers,
                        "accepted": a.accepted,
                    }
                    for a in self.qa.top_answerers
                ],
                "answered_unmarked": self.qa.answered_unmarked,
                "unanswered_at_end": self.qa.unanswered_at_end,
                "close_outcomes": dict(self.qa.outcomes),
            },
            "funnel": {
                "joined": self.funnel.joined,
                "onboarded": self.funnel.onboarded,
                "active": self.funnel.active,
                "paid": self.funnel.paid,
                **{k: _round(v) for k, v in self.funnel.rates().items()},
                "steps": [
                    {"step": s.step, "count": s.count, "median_minutes": _round(s.median_minutes)}
                    for s in self.funnel.steps
                ],
                "sources": [
                    {
                        "source": s.source,
                        "codes": list(s.codes),
                        "joins": s.joins,
                        "onboarded_pct": _round(s.onboarded_pct),
                        "week4_retention": _round(s.week4_retention),
                        "week4_cohort": s.week4_cohort,
                        "paid_30d": _round(s.paid_30d),
                        "paid_cohort": s.paid_cohort,
                    }
                    for s in self.funnel.sources
                ],
            },
            "top_helpers": [
                {"user_id": str(h.user_id), "points": h.points} for h in self.top_helpers
            ],
            "drops": [item.to_json() for item in self.drops],
            "feedback": self.feedback,
        }


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)
