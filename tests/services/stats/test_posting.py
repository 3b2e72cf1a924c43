"""The weekly post: due times, exactly once, catch-up after downtime, retries."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sqlmodel import select

from bot.core.clock import FakeClock
from bot.core.ports import OutgoingMessage, Publisher, TemporarilyUnavailable
from bot.scheduler import Scheduler
from bot.services.stats import IsoWeek, StatsService
from bot.services.stats.posting import last_due
from bot.settings import GuildConfig, Settings
from storage.database import Database
from storage.stats.models import Report
from tests.services.stats.community import GUILD, Community, at

OWNERS = 555
MONDAY_9 = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)  # week 2026-W47 starts


class FakePublisher(Publisher):
    """Records posts; fails the first `failures` of them."""

    def __init__(self, failures: int = 0) -> None:
        self.posts: list[tuple[int, OutgoingMessage]] = []
        self.failures = failures

    async def post(self, channel_id: int, message: OutgoingMessage) -> int:
        if self.failures:
            self.failures -= 1
            raise TemporarilyUnavailable("Discord answered 503")
        self.posts.append((channel_id, message))
        return 9000 + len(self.posts)


def guild() -> GuildConfig:
    return GuildConfig(id=GUILD, owners_channel_id=OWNERS)


def service(
    db: Database, now: datetime, publisher: FakePublisher, scheduler: Scheduler | None = None
) -> StatsService:
    return StatsService(
        db,
        FakeClock(now),
        Settings(guilds=(guild(),)),
        publisher=publisher,
        scheduler=scheduler or Scheduler(),
    )


async def stored(db: Database, week: str) -> Report | None:
    async with db.read() as session:
        return (
            await session.exec(select(Report).where(Report.guild_id == GUILD, Report.week == week))
        ).first()


def test_a_report_falls_due_at_the_configured_day_and_hour_for_the_week_before() -> None:
    assert last_due(guild(), MONDAY_9) == (IsoWeek(2026, 46), MONDAY_9)
    assert last_due(guild(), MONDAY_9 - timedelta(minutes=1)) == (
        IsoWeek(2026, 45),
        MONDAY_9 - timedelta(weeks=1),
    )
    friday = replace(guild(), report_weekday="fri", report_hour=17, timezone="Europe/Berlin")
    week, due = last_due(friday, datetime(2026, 11, 21, 12, tzinfo=UTC))
    assert (week, due) == (IsoWeek(2026, 46), datetime(2026, 11, 20, 16, tzinfo=UTC))


async def test_the_due_report_is_posted_once_to_the_owners_channel(db: Database) -> None:
    await Community().message(1, at(1, 2)).write(db)
    publisher = FakePublisher()
    stats = service(db, MONDAY_9 + timedelta(minutes=1), publisher)

    first = await stats.post_due(GUILD)
    second = await stats.post_due(GUILD)

    assert first is not None and (first.status, first.week) == ("posted", IsoWeek(2026, 46))
    assert second is not None and second.status == "already_posted"
    assert [channel for channel, _ in publisher.posts] == [OWNERS]
    row = await stored(db, "2026-W46")
    assert row is not None and row.message_id == 9001 and row.numbers["wau"] == 1


async def test_a_post_missed_while_down_is_sent_on_start_once(db: Database) -> None:
    await Community().message(1, at(1, 2)).write(db)
    publisher = FakePublisher()
    down_until = MONDAY_9 + timedelta(days=2)

    await service(db, down_until, publisher).catch_up()
    await service(db, down_until + timedelta(hours=1), publisher).catch_up()  # a restart

    assert len(publisher.posts) == 1
    assert "2026-W46" in publisher.posts[0][1].cards[0].title


async def test_a_first_start_posts_nothing_until_the_first_scheduled_time(
    db: Database,
) -> None:
    publisher = FakePublisher()

    outcomes = await service(db, MONDAY_9 + timedelta(days=2), publisher).catch_up()

    assert [o.status for o in outcomes] == ["nothing_to_report"]
    assert publisher.posts == []


async def test_a_failed_post_is_released_and_retried_later(db: Database) -> None:
    publisher = FakePublisher(failures=1)
    scheduler = Scheduler()
    stats = service(db, MONDAY_9, publisher, scheduler)

    failed = await stats.post_due(GUILD)

    assert failed is not None and failed.status == "failed"
    assert "stats:weekly:1:retry" in scheduler.job_ids()
    row = await stored(db, "2026-W46")
    assert row is not None and row.posted_at is None
    retried = await stats.post_due(GUILD)
    assert retried is not None and retried.status == "posted"


async def test_week_over_week_deltas_use_last_weeks_stored_numbers(db: Database) -> None:
    await Community().message(1, at(0, 1)).message(2, at(0, 1)).message(1, at(1, 1)).write(db)
    publisher = FakePublisher()
    await service(db, MONDAY_9 - timedelta(weeks=1), publisher).post_due(GUILD)  # 2026-W45

    await service(db, MONDAY_9, publisher).post_due(GUILD)  # 2026-W46

    active = publisher.posts[1][1].cards[0].fields[2].value
    assert "WAU **1**" in active and "🔴 ▼ -1 (-50.0%)" in active


async def test_start_schedules_one_weekly_job_per_guild_and_the_rollup_refresh(
    db: Database,
) -> None:
    scheduler = Scheduler()
    stats = service(db, MONDAY_9, FakePublisher(), scheduler)

    await stats.start()

    assert sorted(scheduler.job_ids()) == ["stats:rollups", "stats:weekly:1"]
    await stats.stop()
    assert scheduler.job_ids() == []
