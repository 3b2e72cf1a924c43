"""A plain-Python reading of docs/metrics.md, computed straight from raw rows.

It shares no code with the service: it walks every member's events at every instant
instead of using spans and rollups, so agreement between the two is meaningful.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

ACTIVE = {"message", "reply", "reaction", "command", "button", "modal", "thread_create",
          "drop_open", "question", "answer", "voice_join"}  # fmt: skip
TALK = {"message", "reply", "answer"}
NOT_PRESENCE = {"leave", "paid_start", "paid_end"}
MONTHS = {"day": 12 / 365, "week": 12 / 52, "month": 1.0, "year": 12.0}


@dataclass(frozen=True)
class Row:
    """One interaction as written (id gives the write order)."""

    id: int
    user: int
    kind: str
    at: datetime
    ref: str | None = None
    meta: dict[str, Any] | None = None


def ratio(a: float, b: float) -> float | None:
    """a / b, None for b == 0."""
    return None if b == 0 else a / b


class Reference:
    """Every metric of one week, from the raw rows of one guild."""

    def __init__(
        self,
        rows: list[Row],
        timezone: str,
        onboarded_at: dict[int, datetime],
        questions: list[tuple[datetime, datetime | None, int | None, datetime | None, int | None]],
    ) -> None:
        self.rows = sorted(rows, key=lambda r: (r.at, r.id))
        self.zone = ZoneInfo(timezone)
        self.onboarded_at = onboarded_at
        self.questions = questions
        self.users = {r.user for r in rows}
        self.by_user: dict[int, list[Row]] = {u: [] for u in self.users}
        for r in self.rows:
            self.by_user[r.user].append(r)
        self.firsts = {u: self._first(u) for u in self.users}
        self.membership: dict[int, list[tuple[datetime, str]]] = {}
        for u in self.users:
            events = [(r.at, r.kind) for r in self.by_user[u] if r.kind in ("join", "leave")]
            first = self.firsts[u]
            if first is not None:
                events.append((first, "join"))
            self.membership[u] = sorted(events, key=lambda e: (e[0], e[1] != "join"))

    def midnight(self, day: date) -> datetime:
        """Local midnight of `day` as an aware datetime."""
        return datetime.combine(day, time(0), tzinfo=self.zone)

    def _first(self, user: int) -> datetime | None:
        """The earliest presence of a member."""
        times = [r.at for r in self.by_user[user] if r.kind not in NOT_PRESENCE]
        return min(times) if times else None

    def present(self, user: int, t: datetime, *, inclusive: bool = False) -> bool:
        """In the guild at t: the last membership event before t (or at t) was a join.

        The first presence counts as a join; at one instant joins come before leaves.
        """
        state = False
        for at, kind in self.membership[user]:
            if at > t or (at == t and not inclusive):
                break
            state = kind == "join"
        return state

    def members(self, t: datetime) -> int:
        """N(t)."""
        return sum(self.present(u, t) for u in self.users)

    def moves(self, start: datetime, end: datetime) -> tuple[int, int]:
        """(joins, leaves): membership changes at instants in [start, end)."""
        joins = leaves = 0
        for u in self.users:
            for x in sorted({at for at, _ in self.membership[u] if start <= at < end}):
                before, after = self.present(u, x), self.present(u, x, inclusive=True)
                joins += not before and after
                leaves += before and not after
        return joins, leaves

    def active_users(self, start: datetime, end: datetime, kinds: set[str] = ACTIVE) -> set[int]:
        """Members with an interaction of `kinds` in [start, end)."""
        return {r.user for r in self.rows if r.kind in kinds and start <= r.at < end}

    def paying(self, user: int, t: datetime, *, inclusive: bool = False) -> dict[str, Row]:
        """Tiers a member pays for at t, with the paid_start in force."""
        state: dict[str, Row | None] = {}
        for r in self.by_user.get(user, []):
            if r.kind not in ("paid_start", "paid_end"):
                continue
            if r.at > t or (r.at == t and not inclusive):
                break
            state[r.ref or ""] = r if r.kind == "paid_start" else None
        return {tier: row for tier, row in state.items() if row is not None}

    def first_paid(self, user: int) -> datetime | None:
        """The first instant after which the member was paying."""
        for x in sorted({r.at for r in self.by_user[user] if r.kind == "paid_start"}):
            if self.paying(user, x, inclusive=True):
                return x
        return None

    def report(self, monday: date) -> dict[str, Any]:
        """The week's numbers, shaped like the service's report."""
        s, e = self.midnight(monday), self.midnight(monday + timedelta(days=7))
        n_start, n_end = self.members(s), self.members(e)
        joined, left = self.moves(s, e)
        retained = sum(self.present(u, s) and self.present(u, e) for u in self.users)
        retention = ratio(retained, n_start)
        week_rows = [r for r in self.rows if s <= r.at < e]
        interactions = sum(r.kind in ACTIVE for r in week_rows)
        wau = len(self.active_users(s, e))
        days = [monday + timedelta(days=i) for i in range(7)]
        dau = [
            len(self.active_users(self.midnight(d), self.midnight(d + timedelta(days=1))))
            for d in days
        ]
        mau = len(self.active_users(self.midnight(monday + timedelta(days=7 - 30)), e))
        firsts = self.firsts

        def cohort(week_monday: date) -> set[int]:
            cs, ce = self.midnight(week_monday), self.midnight(week_monday + timedelta(days=7))
            return {u for u, f in firsts.items() if f is not None and cs <= f < ce}

        cohorts = []
        for back in range(7, -1, -1):
            cm = monday - timedelta(weeks=back)
            members = cohort(cm)
            retention_row = []
            for k in range(back + 1):
                wm = cm + timedelta(weeks=k)
                active = self.active_users(self.midnight(wm), self.midnight(wm + timedelta(days=7)))
                retention_row.append(ratio(len(members & active), len(members)))
            cohorts.append((cm, len(members), tuple(retention_row)))
        opens = Counter(r.ref for r in week_rows if r.kind == "drop_open")
        openers = {ref: {r.user for r in week_rows if r.kind == "drop_open" and r.ref == ref}
                   for ref in opens}  # fmt: skip
        total_opens = sum(opens.values())
        content = sorted(
            (
                (str(ref), n, ratio(n, total_opens), ratio(len(openers[ref]), n_end))
                for ref, n in opens.items()
            ),
            key=lambda c: (-c[1], int(c[0])),
        )
        paid = self._paid(s, e, monday, firsts)
        joiners = cohort(monday)
        onboarded = {
            u
            for u in joiners
            if (u in self.onboarded_at and self.onboarded_at[u] < e)
            or any(r.kind == "onboarded" and r.at < e for r in self.by_user[u])
        }
        active_joiners = onboarded & self.active_users(s, e)
        paid_joiners = set()
        for u in active_joiners:
            fp, f = self.first_paid(u), firsts[u]
            if fp is not None and f is not None and fp < min(f + timedelta(days=30), e):
                paid_joiners.add(u)
        asked = self.questions_in(s, e)
        answered = [q for q in asked if q[1] is not None and q[1] < e]
        solved = [q for q in asked if q[3] is not None and q[3] < e]
        minutes = [(q[1] - q[0]).total_seconds() / 60 for q in answered if q[1] is not None]
        return {
            "members": (n_start, n_end, joined, left),
            "net_growth": ratio(n_end - n_start, n_start),
            "member_retention": retention,
            "churn": None if retention is None else 1 - retention,
            "new_member_retention": cohorts[-2][2][1],
            "interactions": interactions,
            "per_member": ratio(interactions, n_end),
            "per_active_member": ratio(interactions, wau),
            "dau": dau,
            "dau_mean": sum(dau) / 7,
            "wau": wau,
            "mau": mau,
            "stickiness": ratio(sum(dau) / 7, mau),
            "communicators": len(self.active_users(s, e, TALK)),
            "cohorts": cohorts,
            "content": content,
            "paid": paid,
            "funnel": (len(joiners), len(onboarded), len(active_joiners), len(paid_joiners)),
            "qa": (
                len(asked),
                ratio(len(answered), len(asked)),
                statistics.median(minutes) if minutes else None,
                ratio(len(solved), len(asked)),
            ),
        }

    def questions_in(
        self, s: datetime, e: datetime
    ) -> list[tuple[datetime, datetime | None, int | None, datetime | None, int | None]]:
        """Questions asked in [s, e)."""
        return [q for q in self.questions if s <= q[0] < e]

    def _paid(
        self, s: datetime, e: datetime, monday: date, firsts: dict[int, datetime | None]
    ) -> tuple[int, int, int, int, dict[str, float], float | None]:
        payers = {r.user for r in self.rows if r.kind in ("paid_start", "paid_end")}
        at_start = sum(bool(self.paying(u, s)) for u in payers)
        at_end = sum(bool(self.paying(u, e)) for u in payers)
        new = churned = 0
        for u in payers:
            for x in sorted({r.at for r in self.by_user[u] if s <= r.at < e}):
                before, after = bool(self.paying(u, x)), bool(self.paying(u, x, inclusive=True))
                new += not before and after
                churned += before and not after
        mrr: dict[str, float] = {}
        for u in payers:
            for row in self.paying(u, e).values():
                meta = row.meta or {}
                currency = str(meta.get("currency", "?")).lower()
                if meta.get("interval") is None:
                    mrr[currency] = mrr.get(currency, 0.0)
                    continue
                monthly = meta["amount"] / (MONTHS[meta["interval"]] * meta["interval_count"])
                mrr[currency] = mrr.get(currency, 0.0) + monthly / 100
        end_day = monday + timedelta(days=7)
        cs, ce = (
            self.midnight(end_day - timedelta(days=60)),
            self.midnight(end_day - timedelta(days=30)),
        )
        cohort = [u for u, f in firsts.items() if f is not None and cs <= f < ce]
        converted = 0
        for u in cohort:
            fp, f = self.first_paid(u), firsts[u]
            assert f is not None
            converted += fp is not None and fp < min(f + timedelta(days=30), e)
        return at_start, at_end, new, churned, mrr, ratio(converted, len(cohort))
