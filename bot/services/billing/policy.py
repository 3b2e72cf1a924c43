"""The billing rules as pure functions: which Stripe states give access and for how long,
and what a tier set up by hand may look like."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.core.echo import echo
from bot.core.errors import InvalidInput
from bot.core.text import t
from bot.services.billing.objects import SubscriptionState

TIER_KEY_MAX = 32
TIER_NAME_MAX = 100  # a tier name is an autocomplete choice name: Discord allows 100
PRICE_ID_MAX = 100
TIER_KINDS = ("subscription", "one_time")
_TIER_KEY = re.compile(rf"^[a-z0-9][a-z0-9_-]{{0,{TIER_KEY_MAX - 1}}}$")
_PRICE_ID = re.compile(rf"^price_[A-Za-z0-9_]{{1,{PRICE_ID_MAX - 6}}}$")

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


@dataclass(frozen=True)
class TierChange:
    """What `/setup tiers` asks to set, checked and normalised (None: keep as is)."""

    key: str
    name: str | None
    price_id: str | None
    kind: str | None


def checked_tier_change(
    key: str, *, name: str | None, price_id: str | None, kind: str | None
) -> TierChange:
    """The change when every part is well-formed; `InvalidInput` (nothing stored) otherwise."""
    key = key.strip().lower()
    if not _TIER_KEY.match(key):
        raise InvalidInput(
            t(
                "A tier key is a short slug of at most {max} characters: a-z, 0-9, "
                "`-` and `_` (e.g. `pro`).",
                max=TIER_KEY_MAX,
            )
        )
    if name is not None:
        name = " ".join(name.split())
        if not name or len(name) > TIER_NAME_MAX or not name.isprintable():
            raise InvalidInput(
                t(
                    "A tier name is 1 to {max} characters on one line (this one has {length}).",
                    max=TIER_NAME_MAX,
                    length=len(name),
                )
            )
    if price_id is not None:
        price_id = price_id.strip()
        if not _PRICE_ID.match(price_id):
            raise InvalidInput(
                t(
                    "{price_id} is not a Stripe price id: they start `price_` and have at "
                    "most {max} letters, digits and `_`.",
                    price_id=echo(price_id),
                    max=PRICE_ID_MAX,
                )
            )
    if kind is not None and kind not in TIER_KINDS:
        raise InvalidInput(t("The kind is `subscription` or `one_time`."))
    return TierChange(key, name, price_id, kind)
