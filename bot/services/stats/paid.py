"""Paid members from paid spans: who pays at an instant, who started or stopped, MRR."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

# Stripe's zero-decimal currencies: their minor unit is the major unit.
ZERO_DECIMAL = frozenset(
    {"bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd",
     "vuv", "xaf", "xof", "xpf"}
)  # fmt: skip

# (user, tier, started, ended, monthly amount in minor units, currency)
SpanTuple = tuple[int, str, datetime, datetime | None, float | None, str | None]


@dataclass(frozen=True)
class PaidWeek:
    """Paying members at both ends of a window and the movements in it."""

    paying_start: int
    paying_end: int
    new: int
    churned: int
    mrr: dict[str, float]


def paying_at(span: SpanTuple, moment: datetime) -> bool:
    """A span counts at `moment` when it started before it and had not ended before it."""
    _, _, started, ended, _, _ = span
    return started < moment and (ended is None or ended >= moment)


def major_units(amount: float, currency: str) -> float:
    """Minor units (Stripe's amounts) to major units of `currency`."""
    return amount if currency in ZERO_DECIMAL else amount / 100


def paid_week(spans: Iterable[SpanTuple], start: datetime, end: datetime) -> PaidWeek:
    """Count paying members at `start` and `end`, and not-paying<->paying moves in [start, end).

    A member paying for several tiers counts once; switching tiers at one instant is
    neither a new nor a churned member.
    """
    by_user: defaultdict[int, list[SpanTuple]] = defaultdict(list)
    for span in spans:
        by_user[span[0]].append(span)
    paying_start = paying_end = new = churned = 0
    mrr: defaultdict[str, float] = defaultdict(float)
    for user_spans in by_user.values():
        paying_start += any(paying_at(s, start) for s in user_spans)
        paying_end += any(paying_at(s, end) for s in user_spans)
        moves = _moves(user_spans, start, end)
        new += moves[0]
        churned += moves[1]
        for span in user_spans:
            if paying_at(span, end) and span[4] is not None:
                currency = span[5] or "?"
                mrr[currency] += major_units(span[4], currency)
    return PaidWeek(paying_start, paying_end, new, churned, dict(mrr))


def _moves(spans: list[SpanTuple], start: datetime, end: datetime) -> tuple[int, int]:
    changes: defaultdict[datetime, int] = defaultdict(int)
    for _, _, started, ended, _, _ in spans:
        changes[started] += 1
        if ended is not None:
            changes[ended] -= 1
    level = 0
    new = churned = 0
    for moment in sorted(changes):
        after = level + changes[moment]
        if start <= moment < end:
            new += level == 0 and after > 0
            churned += level > 0 and after == 0
        level = after
    return new, churned


def converted(first_join: datetime, first_paid: datetime | None, deadline: datetime) -> bool:
    """True when the member started paying before `deadline` (30 days after joining)."""
    return first_paid is not None and first_paid < deadline


def mrr_total(mrr: Mapping[str, float]) -> str:
    """MRR for people: "€1,234.50 + $99.00" style, or "0" when there is none."""
    if not mrr:
        return "0"
    return " + ".join(
        f"{amount:,.2f} {currency.upper()}" for currency, amount in sorted(mrr.items())
    )
