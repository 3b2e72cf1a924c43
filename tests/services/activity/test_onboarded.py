"""The member row learns when someone first became a member (the stats' funnel reads it)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.core.clock import FakeClock
from bot.core.events import EventBus, MemberOnboarded
from bot.services.activity import ActivityService
from storage.activity import members
from storage.database import Database
from storage.interaction_log import InteractionLog

GUILD, USER = 1, 42
JOINED = datetime(2026, 11, 2, 9, tzinfo=UTC)


async def test_the_first_onboarding_is_kept_on_the_member_row(db: Database) -> None:
    activity = ActivityService(db, InteractionLog(db), FakeClock(JOINED), bus=EventBus())
    await activity.member_joined(GUILD, USER)
    first = JOINED + timedelta(minutes=3)
    await activity.member_onboarded(MemberOnboarded(GUILD, first, user_id=USER))
    await activity.member_onboarded(MemberOnboarded(GUILD, first + timedelta(days=9), user_id=USER))
    async with db.read() as session:
        member = await members.get(session, GUILD, USER)
    assert member is not None and member.onboarded_at == first
