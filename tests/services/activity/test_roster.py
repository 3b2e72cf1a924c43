"""Catching up with a guild's member list: members from before the bot, and what it missed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import col, func, select

from bot.core.clock import FakeClock
from bot.services.activity import ActivityService, RosterChanges
from storage.activity import members
from storage.database import Database
from storage.interaction_log import InteractionLog
from storage.interactions import Interaction
from tests.services.stats.community import at, stats_service

GUILD = 1
NOW = at(0, 2)  # Wednesday of 2026-W45
LONG_AGO = datetime(2025, 3, 1, 8, tzinfo=UTC)


def activity(db: Database, now: datetime = NOW) -> ActivityService:
    return ActivityService(db, InteractionLog(db), FakeClock(now))


async def logged(db: Database) -> list[tuple[int, str, datetime]]:
    async with db.read() as session:
        rows = await session.exec(
            select(Interaction.user_id, Interaction.kind, Interaction.at).order_by(
                col(Interaction.id)
            )
        )
        return [(u, k, a) for u, k, a in rows.all()]


async def test_members_there_before_the_bot_join_at_discords_time(db: Database) -> None:
    changes = await activity(db).roster_seen(GUILD, {4: LONG_AGO})

    async with db.read() as session:
        member = await members.get(session, GUILD, 4)
    assert changes == RosterChanges(found=1, returned=0, left=0)
    assert member is not None and member.in_guild and member.join_source == "roster"
    assert member.first_joined_at == LONG_AGO
    assert await logged(db) == [(4, "join", LONG_AGO)]


async def test_a_member_gone_from_the_list_left_now(db: Database) -> None:
    async with db.transaction() as session:
        await members.record_join(session, GUILD, 2, at(-2))

    changes = await activity(db).roster_seen(GUILD, {})

    async with db.read() as session:
        member = await members.get(session, GUILD, 2)
    assert changes == RosterChanges(found=0, returned=0, left=1)
    assert member is not None and not member.in_guild and member.left_at == NOW
    assert await logged(db) == [(2, "leave", NOW)]


async def test_a_member_back_while_the_bot_was_away_rejoins_at_discords_time(
    db: Database,
) -> None:
    async with db.transaction() as session:
        await members.record_join(session, GUILD, 3, at(-3))
        await members.record_leave(session, GUILD, 3, at(-2))

    changes = await activity(db).roster_seen(GUILD, {3: at(-1)})

    async with db.read() as session:
        member = await members.get(session, GUILD, 3)
    assert changes == RosterChanges(found=0, returned=1, left=0)
    assert member is not None and member.in_guild and member.joined_at == at(-1)
    assert member.first_joined_at == at(-3)


async def test_seeing_the_same_roster_twice_changes_nothing(db: Database) -> None:
    await activity(db).roster_seen(GUILD, {4: LONG_AGO, 5: None})
    before = await logged(db)

    again = await activity(db, NOW + timedelta(hours=1)).roster_seen(GUILD, {4: LONG_AGO, 5: None})

    assert again == RosterChanges(found=0, returned=0, left=0)
    assert await logged(db) == before
    async with db.read() as session:
        assert (await session.exec(select(func.count()).select_from(Interaction))).one() == 2


async def test_the_weekly_report_counts_members_found_on_the_roster(db: Database) -> None:
    await activity(db).roster_seen(GUILD, {4: LONG_AGO, 5: LONG_AGO, 6: at(0, 1)})

    report = await stats_service(db, at(1, 1)).weekly_report(GUILD, "2026-W45")

    assert (report.members.start, report.members.joined, report.members.end) == (2, 1, 3)


async def test_an_imported_member_gone_from_the_list_left_after_their_last_sign(
    db: Database,
) -> None:
    async with db.transaction() as session:
        await members.record_join(session, GUILD, 7, LONG_AGO, source="import")
        session.add(Interaction(guild_id=GUILD, user_id=7, kind="message", at=at(-20)))

    await activity(db).roster_seen(GUILD, {})

    async with db.read() as session:
        member = await members.get(session, GUILD, 7)
    assert member is not None and not member.in_guild and member.left_at == at(-20)
