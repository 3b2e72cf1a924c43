"""The rollups follow the log: late rows, imported history, time-zone changes."""

from __future__ import annotations

from sqlalchemy import func, select

from storage.database import Database
from storage.stats import rollups, tables
from tests.services.stats.community import Community, at, stats_service

WEEK = "2026-W45"
LATER = at(3)


async def test_a_late_row_changes_the_report_after_the_next_refresh(db: Database) -> None:
    service = stats_service(db, LATER)
    await Community().message(1, at(0, 1)).write(db)
    assert (await service.weekly_report(1, WEEK)).wau == 1

    await Community().message(2, at(0, 2)).write(db)  # written late, for a past day

    assert (await service.weekly_report(1, WEEK)).wau == 2


async def test_refresh_rebuilds_only_the_days_the_new_rows_touch(db: Database) -> None:
    service = stats_service(db, LATER)
    community = Community()
    for week in range(-20, 1):
        community.message(1, at(week, 1))
    await community.write(db)
    await service.refresh_rollups()

    await Community().message(2, at(0, 2)).message(3, at(0, 2, hour=20)).write(db)
    summary = await service.refresh_rollups()

    assert (summary.days, summary.weeks) == (1, 1)


async def test_refresh_without_new_rows_does_nothing(db: Database) -> None:
    service = stats_service(db, LATER)
    await Community().message(1, at(0, 1)).write(db)
    await service.refresh_rollups()

    summary = await service.refresh_rollups()

    assert (summary.rows, summary.days) == (0, 0)


async def test_older_history_imported_later_moves_the_first_join_back(db: Database) -> None:
    service = stats_service(db, LATER)
    await Community().join(1, at(0, 1)).write(db)
    assert (await service.weekly_report(1, WEEK)).members.joined == 1

    await Community().message(1, at(-4)).write(db)  # an imported old message

    report = await service.weekly_report(1, WEEK)
    assert (report.members.start, report.members.joined) == (1, 0)
    assert {str(c.week): c.size for c in report.cohorts}["2026-W41"] == 1


async def test_a_late_leave_ends_membership_where_it_happened(db: Database) -> None:
    service = stats_service(db, LATER)
    await Community().join(1, at(-2)).join(2, at(-2)).write(db)
    assert (await service.weekly_report(1, WEEK)).members.end == 2

    await Community().leave(1, at(-1)).write(db)

    report = await service.weekly_report(1, WEEK)
    assert (report.members.start, report.members.end) == (1, 1)


async def test_changing_the_time_zone_rebuilds_the_days(db: Database) -> None:
    await Community().message(1, at(0, day=6, hour=23, minute=30)).write(db)
    assert (await stats_service(db, LATER).weekly_report(1, WEEK)).wau == 1

    berlin = stats_service(db, LATER, "Europe/Berlin")
    summary = await berlin.refresh_rollups()

    assert summary.rebuilt_guilds == [1]
    assert (await berlin.weekly_report(1, WEEK)).wau == 0
    assert (await berlin.weekly_report(1, "2026-W46")).wau == 1


async def test_a_rebuild_reads_the_whole_log_again_to_the_same_numbers(db: Database) -> None:
    service = stats_service(db, LATER)
    community = Community().join(1, at(-2)).join(2, at(-1)).leave(1, at(0, 2))
    await community.message(2, at(0, 3)).write(db)
    before = (await service.weekly_report(1, WEEK)).to_json()

    summary = await service.rebuild_rollups()

    assert summary.rows == 4
    assert (await service.weekly_report(1, WEEK)).to_json() == before


async def test_forgetting_a_member_erases_them_but_keeps_the_day_totals(db: Database) -> None:
    service = stats_service(db, LATER)
    await Community().join(1, at(-1)).message(1, at(0, 1)).paid_start(1, at(0, 1)).write(db)
    await service.refresh_rollups()

    async with db.transaction() as session:
        await rollups.forget_member(session, 1, 1)

    async with db.read() as session:
        connection = await session.connection()
        for table in (tables.member_days, tables.member_first, tables.member_spans,
                      tables.paid_spans, tables.events):  # fmt: skip
            count = select(func.count()).select_from(table).where(table.c.user_id == 1)
            assert (await connection.execute(count)).scalar_one() == 0, table.name
        totals = select(func.sum(tables.guild_days.c.interactions))
        assert (await connection.execute(totals)).scalar_one() == 1
