"""The onboarding funnel of a week's new members: each step's count and median time.

Steps: joined → agreed (became a member: Lyceum's gate, Discord's screening or native
onboarding) → picked interests → first message → first question or drop open. Each step
counts the week's joiners who reached it by the report's end, in whatever order they did
(a member may talk before picking interests); its time is the median from their first join.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime

from bot.core.kinds import Kind
from bot.core.text import t
from storage.database import Session
from storage.stats import onboarding as reads

STEPS = ("joined", "agreed", "interests", "first_message", "first_question_or_drop")
MESSAGE_KINDS = (Kind.MESSAGE, Kind.REPLY)
ENGAGED_KINDS = (Kind.QUESTION, Kind.DROP_OPEN)


@dataclass(frozen=True)
class FunnelStep:
    """How many of the week's joiners reached a step, and the median minutes it took."""

    step: str
    count: int
    median_minutes: float | None  # None when nobody reached it (0 for `joined`)


def step_of(name: str, joiners: dict[int, datetime], reached: dict[int, datetime]) -> FunnelStep:
    """The step from each joiner's time of reaching it (times before the join do not count)."""
    minutes = [
        (reached[user] - joined).total_seconds() / 60
        for user, joined in joiners.items()
        if user in reached and reached[user] >= joined
    ]
    return FunnelStep(name, len(minutes), statistics.median(minutes) if minutes else None)


async def funnel_steps(
    session: Session, guild_id: int, joiners: dict[int, datetime], end: datetime
) -> tuple[FunnelStep, ...]:
    """Every step for these joiners (user → first join), reached before `end`."""
    users = list(joiners)
    since = min(joiners.values(), default=end)
    times = (
        {user: joined for user, joined in joiners.items()},
        await reads.onboarded_times(session, guild_id, users, since, end),
        await reads.interests_times(session, guild_id, users, end),
        await reads.first_of_kinds(session, guild_id, users, MESSAGE_KINDS, since, end),
        await reads.first_of_kinds(session, guild_id, users, ENGAGED_KINDS, since, end),
    )
    return tuple(
        step_of(name, joiners, reached) for name, reached in zip(STEPS, times, strict=True)
    )


def step_label(step: str) -> str:
    """A step's name as owners read it."""
    labels = {
        "joined": t("joined"),
        "agreed": t("agreed"),
        "interests": t("picked interests"),
        "first_message": t("first message"),
        "first_question_or_drop": t("first question or drop"),
    }
    return labels.get(step, step)


def minutes_text(minutes: float | None) -> str:
    """A median wait, in the largest unit that reads well."""
    if minutes is None:
        return t("n/a")
    if minutes < 90:
        return t("{n} min", n=format(minutes, ",.0f"))
    if minutes < 48 * 60:
        return t("{n} h", n=format(minutes / 60, ",.1f"))
    return t("{n} d", n=format(minutes / 1440, ",.1f"))


def steps_text(steps: tuple[FunnelStep, ...]) -> str:
    """ "joined 40 → agreed 35 (2 min) → ..." (medians from the join)."""
    parts = []
    for step in steps:
        if step.step == "joined":
            parts.append(t("{label} {count}", label=step_label(step.step), count=step.count))
        else:
            parts.append(
                t(
                    "{label} {count} ({median})",
                    label=step_label(step.step),
                    count=step.count,
                    median=minutes_text(step.median_minutes),
                )
            )
    return " → ".join(parts)
