"""The weekly post as data: embed fields with deltas, and PNG charts that are really there."""

from __future__ import annotations

import struct

from bot.services.stats.charts import CHART_FILES
from bot.services.stats.presentation import count_delta, points_delta
from storage.database import Database
from tests.services.stats.community import Community, at, stats_service

LATER = at(3)
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk."""
    assert data[:8] == PNG_MAGIC
    width, height = struct.unpack(">II", data[16:24])
    return width, height


async def busy_community(db: Database) -> None:
    community = Community().item(1, "Async Python").item(2, "SQL tuning")
    for user in range(1, 31):
        community.join(user, at(-3 + user % 4, day=user % 7))
    for user in range(1, 25):
        community.message(user, at(-1, day=user % 7)).message(user, at(0, day=user % 7))
        community.log(user, "drop_open", at(0, day=1), ref=str(1 + user % 2))
    community.leave(3, at(0, day=2)).paid_start(5, at(-1)).paid_start(6, at(0, day=3))
    community.question(1, at(0, 1), answered=at(0, 1, minute=20), answerer=7)
    await community.write(db)


async def test_week_message_has_headline_fields_with_changes_and_three_charts(
    db: Database,
) -> None:
    await busy_community(db)

    message = await stats_service(db, LATER).week_message(1, "2026-W45")

    main, cohorts, content = message.cards
    names = [field.name for field in main.fields]
    assert names == ["👥 Members", "🔁 Retention", "📈 Active members", "💬 Activity",
                     "💳 Paid", "❓ Q&A", "📚 Top content", "🚪 New-member funnel"]  # fmt: skip
    members = main.fields[0].value
    assert members.startswith("**30** (from 29") and "🟢 ▲ +1" in members
    assert "docs/metrics.md" in main.footer and "2026-W45" in main.title
    assert [main.image_file, cohorts.image_file, content.image_file] == list(CHART_FILES)
    assert sorted(f.filename for f in message.files) == sorted(CHART_FILES)


async def test_every_chart_is_a_real_png_of_a_readable_size(db: Database) -> None:
    await busy_community(db)
    service = stats_service(db, LATER)

    charts = await service.charts(await service.weekly_report(1, "2026-W45"))

    for name in CHART_FILES:
        width, height = png_size(charts[name])
        assert width >= 600 and height >= 300, name
        assert len(charts[name]) > 15_000, name  # drawn, not blank


async def test_charts_of_an_empty_guild_still_render(db: Database) -> None:
    service = stats_service(db, LATER)

    charts = await service.charts(await service.weekly_report(1, "2026-W45"))

    assert all(png_size(charts[name])[0] > 0 for name in CHART_FILES)


def test_count_delta_shows_direction_colour_and_relative_change() -> None:
    assert count_delta(110, 100) == "🟢 ▲ +10 (+10.0%)"
    assert count_delta(90, 100) == "🔴 ▼ -10 (-10.0%)"
    assert count_delta(5, 5) == "⚪ = +0"
    assert count_delta(5, None) == ""


def test_points_delta_inverts_colour_when_lower_is_better() -> None:
    assert points_delta(0.25, 0.20) == "🟢 ▲ +5.0 pp"
    assert points_delta(0.25, 0.20, higher_is_better=False) == "🔴 ▲ +5.0 pp"
    assert points_delta(None, 0.2) == ""


async def test_content_and_retention_messages_carry_their_chart(db: Database) -> None:
    await busy_community(db)
    service = stats_service(db, LATER)

    content = await service.content_message(1, "2026-W45")
    retention = await service.retention_message(1, "2026-W45")

    assert "Async Python" in content.cards[0].description
    assert [f.filename for f in content.files] == ["top-content.png"]
    assert [f.filename for f in retention.files] == ["cohort-retention.png"]


async def test_export_is_one_csv_row_per_week(db: Database) -> None:
    await busy_community(db)

    attachment = await stats_service(db, LATER).export_file(1, weeks=4)

    lines = attachment.data.decode().splitlines()
    assert lines[0].startswith("week,members_start,members_end,joined,left,net_growth")
    assert [line.split(",")[0] for line in lines[1:]] == [
        "2026-W44", "2026-W45", "2026-W46", "2026-W47",
    ]  # fmt: skip
    assert attachment.filename == "lyceum-stats-1-2026-W47.csv"


async def test_a_week_still_running_says_its_numbers_are_so_far(db: Database) -> None:
    await busy_community(db)

    running = await stats_service(db, at(0, day=3)).week_message(1, "2026-W45")
    ended = await stats_service(db, LATER).week_message(1, "2026-W45")

    assert "so far" in (running.cards[0].description or "")
    assert "so far" not in (ended.cards[0].description or "")


async def test_an_item_opened_once_says_one_open(db: Database) -> None:
    community = Community().item(1, "Async Python").item(2, "SQL tuning")
    for user in range(1, 4):
        community.join(user, at(-1))
        community.log(user, "drop_open", at(0, day=1), ref="1")
    community.log(3, "drop_open", at(0, day=2), ref="2")
    await community.write(db)

    message = await stats_service(db, LATER).week_message(1, "2026-W45")

    top = next(f.value for f in message.cards[0].fields if f.name == "📚 Top content")
    assert "Async Python — 3 opens" in top and "SQL tuning — 1 open (" in top
