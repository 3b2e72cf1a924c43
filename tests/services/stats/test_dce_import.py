"""Importing DiscordChatExporter history: kinds, times, bots, joins, idempotence, errors."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select as core_select
from sqlmodel import col, func, select

from bot.services.importer import DceImporter
from storage.activity.models import Member
from storage.database import Database
from storage.interactions import Interaction
from tests.services.stats.community import stats_service

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "dce"
GENERAL, THREAD = FIXTURES / "general.json", FIXTURES / "thread.json"
NOW = datetime(2026, 11, 23, tzinfo=UTC)


async def interactions(db: Database) -> list[tuple[int, str, datetime, int | None, str | None]]:
    async with db.read() as session:
        result = await (await session.connection()).execute(
            core_select(
                col(Interaction.user_id),
                col(Interaction.kind),
                col(Interaction.at),
                col(Interaction.channel_id),
                col(Interaction.source_key),
            ).order_by(col(Interaction.at), col(Interaction.source_key))
        )
        return [(user, kind, at, channel, key) for user, kind, at, channel, key in result.all()]


async def count(db: Database) -> int:
    async with db.read() as session:
        return (await session.exec(select(func.count(col(Interaction.id))))).one()


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


async def test_messages_replies_joins_threads_and_reactions_become_interactions(
    db: Database,
) -> None:
    (result,) = await DceImporter(db).import_files(1, [GENERAL])

    assert (result.messages, result.added, result.error) == (8, 7, None)
    assert await interactions(db) == [
        (11, "join", utc("2026-10-05T09:00:00.123+00:00"), 100, "message:5001"),
        (11, "message", utc("2026-10-05T09:30:00+00:00"), 100, "message:5002"),
        (12, "reaction", utc("2026-10-05T09:30:00+00:00"), 100, "reaction:5002:12:👋"),
        (11, "reaction", utc("2026-10-05T10:00:00+00:00"), 100, "reaction:5003:11:777"),
        (12, "reply", utc("2026-10-06T06:15:00.5+00:00"), 100, "message:5004"),
        (11, "thread_create", utc("2026-10-06T08:00:00+00:00"), 100, "thread:9001"),
        (13, "message", utc("2026-10-07T10:00:00.123456+00:00"), 100, "message:5008"),
    ]


async def test_bots_never_count_as_authors_reactors_or_joiners(db: Database) -> None:
    (result,) = await DceImporter(db).import_files(1, [GENERAL])

    users = {row[0] for row in await interactions(db)}
    assert users == {11, 12, 13}
    assert result.skipped_bots == 2  # the bot's post and the bot's join


async def test_importing_the_same_files_twice_adds_nothing(db: Database) -> None:
    importer = DceImporter(db)
    await importer.import_files(1, [GENERAL, THREAD])
    before = await count(db)

    again = await importer.import_files(1, [THREAD, GENERAL])

    assert [r.added for r in again] == [0, 0]
    assert await count(db) == before == 9


async def test_thread_messages_keep_the_thread_as_their_channel(db: Database) -> None:
    await DceImporter(db).import_files(1, [THREAD])

    assert {(row[1], row[3]) for row in await interactions(db)} == {
        ("message", 9001),
        ("reply", 9001),
    }


async def test_members_without_a_join_message_join_at_their_first_message(db: Database) -> None:
    await DceImporter(db).import_files(1, [GENERAL, THREAD])

    async with db.read() as session:
        rows = (await session.exec(select(Member).order_by(col(Member.user_id)))).all()
    assert [(m.user_id, m.first_joined_at, m.join_source) for m in rows] == [
        (11, utc("2026-10-05T09:00:00.123+00:00"), "import"),
        # Their reaction on the 5th carries its message's time, which proves nothing.
        (12, utc("2026-10-06T04:30:00+00:00"), "first_message"),
        (13, utc("2026-10-06T05:10:00+00:00"), "first_message"),  # in the thread export
    ]


async def test_a_reaction_to_an_old_message_does_not_make_its_reactor_a_member_then(
    db: Database, tmp_path: Path
) -> None:
    export = {
        "guild": {"id": "1"},
        "channel": {"id": "100"},
        "messages": [
            {"id": "1", "type": "Default", "timestamp": "2025-01-06T10:00:00+00:00",
             "author": {"id": "50", "isBot": False},
             "reactions": [{"emoji": {"name": "👍"}, "users": [{"id": "60", "isBot": False}]}]},
            {"id": "2", "type": "GuildMemberJoin", "timestamp": "2026-11-03T10:00:00+00:00",
             "author": {"id": "60", "isBot": False}},
        ],
    }  # fmt: skip
    path = tmp_path / "announcements.json"
    path.write_text(json.dumps(export), encoding="utf-8")

    await DceImporter(db).import_files(1, [path])

    report = await stats_service(db, NOW).weekly_report(1, "2026-W45")
    assert (report.members.start, report.members.joined, report.members.end) == (1, 1, 2)
    assert (str(report.cohorts[-1].week), report.cohorts[-1].size) == ("2026-W45", 1)


async def test_import_refreshes_the_stats_of_the_weeks_it_touched(db: Database) -> None:
    stats = stats_service(db, NOW)
    assert (await stats.weekly_report(1, "2026-W41")).wau == 0

    await DceImporter(db, stats).import_files(1, [GENERAL, THREAD])

    report = await stats.weekly_report(1, "2026-W41")
    assert (report.members.joined, report.wau, report.communicators) == (3, 3, 3)
    assert report.activity.interactions == 8  # every row but the join


async def test_malformed_json_names_the_file_line_and_message_and_imports_nothing(
    db: Database, tmp_path: Path
) -> None:
    lines = GENERAL.read_text(encoding="utf-8").splitlines()
    broken_at = next(i for i, line in enumerate(lines) if '"id": "5004"' in line)
    lines[broken_at + 1] = lines[broken_at + 1].replace('"Reply",', '"Reply"')  # drop a comma
    bad = tmp_path / "broken.json"
    bad.write_text("\n".join(lines), encoding="utf-8")

    (result,) = await DceImporter(db).import_files(1, [bad])

    assert result.error is not None
    assert f"{bad}:{broken_at + 3}:" in result.error
    assert "message #4" in result.error and "delimiter" in result.error
    assert await count(db) == 0


async def test_truncated_file_is_reported_and_leaves_nothing_behind(
    db: Database, tmp_path: Path
) -> None:
    text = GENERAL.read_text(encoding="utf-8")
    cut = tmp_path / "cut.json"
    cut.write_text(text[: text.index('"id": "5008"')], encoding="utf-8")

    (result,) = await DceImporter(db).import_files(1, [cut])

    assert result.error is not None and "message #8" in result.error
    assert await count(db) == 0


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (("timestamp", "yesterday"), "not an ISO 8601 time"),
        (("timestamp", "2026-10-05T09:00:00"), "no UTC offset"),
        (("id", "abc"), "id must be a numeric id"),
        (("author", None), "author must be an object"),
    ],
)
async def test_a_message_missing_what_the_import_needs_is_an_error(
    db: Database, tmp_path: Path, change: tuple[str, object], reason: str
) -> None:
    export = json.loads(GENERAL.read_text(encoding="utf-8"))
    export["messages"][2][change[0]] = change[1]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(export, indent=2), encoding="utf-8")

    (result,) = await DceImporter(db).import_files(1, [bad])

    assert result.error is not None and reason in result.error and "message #3" in result.error
    assert await count(db) == 0


async def test_export_of_another_guild_is_refused(db: Database) -> None:
    (result,) = await DceImporter(db).import_files(2, [GENERAL])

    assert result.error is not None and "export of guild 1, not of guild 2" in result.error
    assert await count(db) == 0


async def test_a_bad_file_does_not_stop_the_others(db: Database, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("[]", encoding="utf-8")

    results = await DceImporter(db).import_files(1, [bad, THREAD])

    assert results[0].error is not None and "must be a JSON object" in results[0].error
    assert results[1].added == 2


def child_importer(db: Database) -> DceImporter:
    importer = DceImporter(db)
    importer.child_process_bytes = 0  # every file is parsed in a second process
    return importer


async def test_a_second_process_parses_big_files_to_the_same_rows(db: Database) -> None:
    results = await child_importer(db).import_files(1, [GENERAL, THREAD])

    assert [(r.messages, r.added, r.error) for r in results] == [(8, 7, None), (2, 2, None)]
    assert len(await interactions(db)) == 9


async def test_a_second_process_reports_malformed_input_by_position(
    db: Database, tmp_path: Path
) -> None:
    text = GENERAL.read_text(encoding="utf-8")
    cut = tmp_path / "cut.json"
    cut.write_text(text[: text.index('"id": "5008"')], encoding="utf-8")

    (result,) = await child_importer(db).import_files(1, [cut])

    assert result.error is not None and f"{cut}:" in result.error and "message #8" in result.error
    assert await count(db) == 0
