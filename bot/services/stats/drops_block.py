"""The drops block of the weekly numbers: per item, opens, reach, comments, likes,
attendance and paid conversion from the upsell (rows the drops feature logs)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.services.stats.report import Fraction, ratio
from storage.database import Session
from storage.drops import reads

CONVERSION_DAYS = 30  # an upsell converts when the member starts paying within this


@dataclass(frozen=True)
class DropItemWeek:
    """One library item's week."""

    content_id: str
    opens: int
    reach: Fraction  # distinct openers ÷ members at the week's end
    comments: int
    likes: int
    attendance: int  # members present during its live session(s)
    upsold: int  # members shown the upsell
    converted: int  # of those, members who started paying within 30 days

    def to_json(self) -> dict[str, Any]:
        """The JSON shape under `drops` in `lyceum stats --json`."""
        return {
            "content_id": self.content_id,
            "opens": self.opens,
            "reach": None if self.reach is None else round(self.reach, 4),
            "comments": self.comments,
            "likes": self.likes,
            "attendance": self.attendance,
            "upsold": self.upsold,
            "converted": self.converted,
            "conversion": None if not self.upsold else round(self.converted / self.upsold, 4),
        }


async def item_weeks(
    session: Session, guild_id: int, start: datetime, end: datetime, members_end: int
) -> tuple[DropItemWeek, ...]:
    """Every item with any drops activity in [start, end), most opened first."""
    counts: defaultdict[str, dict[str, tuple[int, int]]] = defaultdict(dict)
    for ref, kind, rows, people in await reads.content_counts(session, guild_id, start, end):
        counts[ref][kind] = (rows, people)
    upsells = await reads.upsold_members(session, guild_id, start, end)
    first_upsell: dict[int, datetime] = {}
    for _, user, at in upsells:
        first_upsell[user] = min(at, first_upsell.get(user, at))
    paid = await reads.paid_starts(
        session, guild_id, sorted(first_upsell), min(first_upsell.values(), default=start)
    )
    converted: defaultdict[str, int] = defaultdict(int)
    for ref, user, at in upsells:
        started = paid.get(user)
        if started is not None and at <= started <= at + timedelta(days=CONVERSION_DAYS):
            converted[ref] += 1
    items = [
        DropItemWeek(
            content_id=ref,
            opens=kinds.get("drop_open", (0, 0))[0],
            reach=ratio(kinds.get("drop_open", (0, 0))[1], members_end),
            comments=kinds.get("drop_comment", (0, 0))[0],
            likes=kinds.get("drop_like", (0, 0))[0],
            attendance=kinds.get("event_attend", (0, 0))[1],
            upsold=kinds.get("drop_upsell", (0, 0))[1],
            converted=converted[ref],
        )
        for ref, kinds in counts.items()
    ]
    items.sort(key=lambda i: (-i.opens, int(i.content_id) if i.content_id.isdigit() else 0))
    return tuple(items)
