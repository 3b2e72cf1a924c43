"""Membership and paid spans: the rules that turn logged events into stretches of time."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

# Rows whose time is borrowed: an imported reaction carries its message's time (exports
# give reactions none), so it counts as activity but proves no one was a member then.
UNTIMED_KEY_PREFIX = "reaction:"
UNTIMED = ("reaction", UNTIMED_KEY_PREFIX)  # (kind, source_key prefix)

# Months per billing interval, to normalise a price to a month (Stripe's convention).
_MONTHS_PER_INTERVAL = {"day": 12 / 365, "week": 12 / 52, "month": 1.0, "year": 12.0}

Span = tuple[datetime, datetime | None]


def membership_spans(
    first_at: datetime | None, events: Iterable[tuple[datetime, str]]
) -> list[Span]:
    """Stretches of membership from join/leave events plus an implicit join at `first_at`.

    A join while present and a leave while absent change nothing; at one instant joins
    come before leaves; empty stretches are dropped.
    """
    timeline = list(events)
    if first_at is not None:
        timeline.append((first_at, "join"))
    timeline.sort(key=lambda event: (event[0], event[1] != "join"))
    spans: list[Span] = []
    opened: datetime | None = None
    for at, kind in timeline:
        if kind == "join" and opened is None:
            opened = at
        elif kind == "leave" and opened is not None:
            if at > opened:
                spans.append((opened, at))
            opened = None
    if opened is not None:
        spans.append((opened, None))
    return spans


@dataclass(frozen=True)
class PaidSpan:
    """A stretch of paying for one tier, and its price per month in minor units."""

    user_id: int
    tier_key: str
    started_at: datetime
    ended_at: datetime | None
    monthly_amount: float | None
    currency: str | None


def monthly_amount(meta: Mapping[str, Any] | None) -> tuple[float | None, str | None]:
    """A price normalised to a month (minor units) and its currency; one-time prices give 0."""
    if not meta:
        return None, None
    currency = meta.get("currency")
    currency = str(currency).lower() if currency else None
    amount = meta.get("amount")
    interval = meta.get("interval")
    if interval is None:
        return (0.0, currency) if amount is not None else (None, currency)
    months = _MONTHS_PER_INTERVAL.get(str(interval))
    count = meta.get("interval_count") or 1
    if months is None or not isinstance(amount, int | float) or not isinstance(count, int):
        return None, currency
    return float(amount) / (months * count), currency


def paid_spans(events: Sequence[tuple[int, str, str | None, datetime, Any]]) -> list[PaidSpan]:
    """Paid spans from (user, kind, tier, at, meta) events sorted by time then id.

    Each (user, tier, source) is its own span: a manual grant and a Stripe subscription
    of one tier start and end apart. A second start while paying is a price change: the
    span is split there.
    """
    open_spans: dict[tuple[int, str, str], tuple[datetime, float | None, str | None]] = {}
    spans: list[PaidSpan] = []
    for user_id, kind, tier, at, meta in events:
        details = meta if isinstance(meta, Mapping) else None
        key = (user_id, tier or "", str((details or {}).get("source") or ""))
        current = open_spans.pop(key, None)
        if current is not None and at > current[0]:
            spans.append(PaidSpan(user_id, key[1], current[0], at, current[1], current[2]))
        if kind == "paid_start":
            amount, currency = monthly_amount(details)
            open_spans[key] = (at, amount, currency)
    spans.extend(
        PaidSpan(user, tier, started, None, amount, currency)
        for (user, tier, _), (started, amount, currency) in open_spans.items()
    )
    return _merge_same_start(spans)


def _merge_same_start(spans: list[PaidSpan]) -> list[PaidSpan]:
    """One span per (user, tier, start): two sources starting at one instant become one,
    lasting as long as the longer and priced by whichever has a price."""
    merged: dict[tuple[int, str, datetime], PaidSpan] = {}
    for span in spans:
        key = (span.user_id, span.tier_key, span.started_at)
        other = merged.get(key)
        if other is None:
            merged[key] = span
            continue
        ends = [end for end in (span.ended_at, other.ended_at) if end is not None]
        ended = max(ends) if len(ends) == 2 else None
        priced = other if other.monthly_amount is not None else span
        merged[key] = PaidSpan(*key, ended, priced.monthly_amount, priced.currency)
    return list(merged.values())
