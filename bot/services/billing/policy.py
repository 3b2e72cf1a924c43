"""The status policy: which Stripe states give access, for how long. Pure functions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.services.billing.objects import SubscriptionState

GRANTING = frozenset({"active", "trialing"})
# A subscription in one of these will never give access again.
TERMINAL = frozenset({"canceled", "incomplete_expired"})
# Set by Lyceum, not Stripe: only a moderator's grant gives access back.
LOCKED = frozenset({"disputed", "revoked"})


@dataclass(frozen=True)
class Previous:
    """What we held before, as far as the policy cares."""

    status: str
    grace_until: datetime | None
    past_due_notified_at: datetime | None


@dataclass(frozen=True)
class Access:
    """The access a subscription state gives right now."""

    active: bool
    status: str
    grace_until: datetime | None
    ends_at: datetime | None
    notify_past_due: bool


def subscription_access(
    state: SubscriptionState,
    *,
    now: datetime,
    since: datetime,
    grace: timedelta,
    previous: Previous | None,
) -> Access:
    """Access for a subscription state observed at `since` (the event time or a re-read).

    active/trialing give the role; past_due keeps it for `grace` counted from when it
    became past_due — Stripe's unpaid invoice says when, else `since` — (one DM per
    episode); everything else takes it away. A cancel at
    period end keeps access until `scheduled_end`.
    """
    ends_at = state.scheduled_end
    before_end = ends_at is None or now < ends_at
    if state.status in GRANTING:
        return Access(before_end, state.status, None, ends_at, notify_past_due=False)
    if state.status == "past_due":
        already = previous is not None and previous.status == "past_due"
        grace_until = (
            previous.grace_until
            if already and previous is not None and previous.grace_until is not None
            else min(since, state.past_due_since or since) + grace
        )
        notify = not (already and previous is not None and previous.past_due_notified_at)
        active = before_end and now < grace_until
        return Access(active, "past_due", grace_until, ends_at, notify_past_due=notify)
    return Access(False, state.status, None, ends_at, notify_past_due=False)


def is_newer(created: datetime, held: datetime | None) -> bool:
    """True when an event's state is strictly newer than the state we hold."""
    return held is None or created > held
