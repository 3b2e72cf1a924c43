"""A small community written straight into the tables the stats read."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert

from bot.core.clock import FakeClock
from bot.services.stats import StatsService
from bot.settings import GuildConfig, Settings
from storage.activity.models import Member
from storage.database import Database
from storage.drops.models import ContentItem
from storage.interactions import Interaction
from storage.qa.models import Question

GUILD = 1
# Monday 2026-11-02 00:00 UTC starts ISO week 2026-W45.
W45 = datetime(2026, 11, 2, tzinfo=UTC)


def at(week_offset: int = 0, day: int = 0, hour: int = 12, minute: int = 0) -> datetime:
    """A moment relative to the start of 2026-W45 (UTC)."""
    return W45 + timedelta(weeks=week_offset, days=day, hours=hour, minutes=minute)


@dataclass
class Community:
    """Rows to insert: interactions, members, content items and questions."""

    guild_id: int = GUILD
    interactions: list[dict[str, Any]] = field(default_factory=list)
    members: list[dict[str, Any]] = field(default_factory=list)
    content: list[dict[str, Any]] = field(default_factory=list)
    questions: list[dict[str, Any]] = field(default_factory=list)

    def log(
        self,
        user: int,
        kind: str,
        when: datetime,
        *,
        ref: str | None = None,
        meta: dict[str, Any] | None = None,
    ) -> Community:
        """Add one interaction."""
        self.interactions.append(
            {
                "guild_id": self.guild_id,
                "user_id": user,
                "kind": kind,
                "channel_id": 10,
                "ref": ref,
                "at": when,
                "meta": meta,
                "source_key": None,
            }
        )
        return self

    def join(self, user: int, when: datetime) -> Community:
        """A join event."""
        return self.log(user, "join", when)

    def leave(self, user: int, when: datetime) -> Community:
        """A leave event."""
        return self.log(user, "leave", when)

    def message(self, user: int, when: datetime) -> Community:
        """A message."""
        return self.log(user, "message", when)

    def paid_start(
        self,
        user: int,
        when: datetime,
        *,
        tier: str = "pro",
        amount: int | None = 1000,
        currency: str = "eur",
        interval: str | None = "month",
        interval_count: int = 1,
        source: str = "stripe",
    ) -> Community:
        """A paid_start event as billing writes it."""
        meta = {
            "source": source,
            "amount": amount,
            "currency": currency,
            "interval": interval,
            "interval_count": interval_count,
        }
        return self.log(user, "paid_start", when, ref=tier, meta=meta)

    def paid_end(
        self, user: int, when: datetime, *, tier: str = "pro", source: str = "stripe"
    ) -> Community:
        """A paid_end event."""
        return self.log(user, "paid_end", when, ref=tier, meta={"source": source})

    def item(self, content_id: int, title: str) -> Community:
        """A content item in the library."""
        self.content.append(
            {
                "id": content_id,
                "guild_id": self.guild_id,
                "title": title,
                "created_by": 1,
                "created_at": W45 - timedelta(weeks=10),
            }
        )
        return self

    def member(self, user: int, joined: datetime, onboarded: datetime | None = None) -> Community:
        """A roster row (only onboarding is read from it)."""
        self.members.append(
            {
                "guild_id": self.guild_id,
                "user_id": user,
                "first_joined_at": joined,
                "joined_at": joined,
                "onboarded_at": onboarded,
            }
        )
        return self

    def question(
        self,
        asker: int,
        created: datetime,
        *,
        answered: datetime | None = None,
        answerer: int | None = None,
        solved: datetime | None = None,
        accepted: int | None = None,
    ) -> Community:
        """A Q&A question row."""
        status = "solved" if solved else "answered" if answered else "open"
        self.questions.append(
            {
                "guild_id": self.guild_id,
                "thread_id": 1000 + len(self.questions),
                "channel_id": 20,
                "asker_id": asker,
                "title": "How?",
                "status": status,
                "created_at": created,
                "first_answer_at": answered,
                "first_answerer_id": answerer,
                "solved_at": solved,
                "answerer_id": accepted,
            }
        )
        return self

    async def write(self, db: Database) -> None:
        """Insert everything and forget it (so the builder can be reused for late rows)."""
        async with db.transaction() as session:
            connection = await session.connection()
            for model, rows in (
                (ContentItem, self.content),
                (Interaction, self.interactions),
                (Member, self.members),
                (Question, self.questions),
            ):
                if rows:
                    await connection.execute(insert(model), rows)
        self.interactions, self.members, self.content, self.questions = [], [], [], []


def stats_service(db: Database, now: datetime, timezone: str = "UTC") -> StatsService:
    """A stats service for GUILD in `timezone`, at a fixed time."""
    settings = Settings(guilds=(GuildConfig(id=GUILD, timezone=timezone),))
    return StatsService(db, FakeClock(now), settings)
