"""`lyceum stats` and `lyceum import dce` from a terminal."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from bot.cli import main
from storage.database import Database
from storage.migrate import upgrade
from tests.services.stats.community import Community, at

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "dce"


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A config file and a migrated SQLite database with a little history."""
    monkeypatch.delenv("DATABASE_URL", raising=False)
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"

    async def prepare() -> None:
        db = Database.from_url(url)
        try:
            await upgrade(db)
            community = Community().item(1, "Async Python")
            community.join(1, at(-1)).join(2, at(0, 1)).message(1, at(0, 2))
            community.log(2, "drop_open", at(0, 3), ref="1")
            await community.write(db)
        finally:
            await db.close()

    asyncio.run(prepare())
    path = tmp_path / "config.toml"
    path.write_text(f'[database]\nurl = "{url}"\n\n[[guilds]]\nid = 1\n', encoding="utf-8")
    return path


def test_stats_json_prints_exactly_the_documented_shape(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["stats", "--config", str(config), "--guild", "1", "--week", "2026-W45", "--json"])

    data = json.loads(capsys.readouterr().out)
    assert code == 0
    assert list(data) == [
        "guild_id", "week", "members", "net_growth", "member_retention", "churn",
        "new_member_retention", "activity", "dau_mean", "wau", "mau", "stickiness",
        "communicators", "cohorts", "content", "paid", "qa", "funnel", "top_helpers", "drops",
        "feedback",
    ]  # fmt: skip
    assert (data["guild_id"], data["week"]) == ("1", "2026-W45")
    assert data["members"] == {"start": 1, "end": 2, "joined": 1, "left": 0}
    assert list(data["activity"]) == ["interactions", "per_member", "per_active_member"]
    assert list(data["paid"]) == ["paying", "new", "churned", "mrr", "conversion_30d"]
    assert list(data["qa"]) == [
        "asked", "answered_pct", "median_first_answer_minutes", "solved_pct", "top_answerers",
        "answered_unmarked", "unanswered_at_end", "close_outcomes",
    ]  # fmt: skip
    assert data["content"] == [
        {"content_id": "1", "title": "Async Python", "opens": 1, "share": 1.0, "reach": 0.5}
    ]
    assert data["cohorts"][-1] == {"week": "2026-W45", "size": 1, "retention": [1.0]}


def test_stats_without_json_prints_a_readable_table(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["stats", "--config", str(config), "--guild", "1", "--week", "2026-W45"])

    out = capsys.readouterr().out
    assert "Weekly report — guild 1, 2026-W45" in out
    assert "Members              1 → 2 (joined 1, left 0)" in out
    assert "Cohort retention" in out and "Async Python" in out


def test_stats_charts_option_writes_the_pngs(config: Path, tmp_path: Path) -> None:
    main(["stats", "--config", str(config), "--guild", "1", "--week", "2026-W45",
          "--charts", str(tmp_path / "charts")])  # fmt: skip

    written = sorted(p.name for p in (tmp_path / "charts").iterdir())
    assert written == ["cohort-retention.png", "daily-active.png", "top-content.png"]


def test_a_malformed_week_is_a_clear_error(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["stats", "--config", str(config), "--guild", "1", "--week", "47"])

    assert code == 1
    assert "write it like 2026-W47" in capsys.readouterr().err


def test_import_dce_twice_adds_nothing_the_second_time(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = [str(FIXTURES / "general.json"), str(FIXTURES / "thread.json")]

    first = main(["import", "dce", "--config", str(config), "--guild", "1", *files])
    out_first = capsys.readouterr().out
    again = main(["import", "dce", "--config", str(config), "--guild", "1", *files])
    out_again = capsys.readouterr().out

    assert (first, again) == (0, 0)
    assert "7 new interactions" in out_first and "2 new interactions" in out_first
    assert out_again.count("0 new interactions") == 2


def test_import_of_a_malformed_file_exits_1_and_names_it(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"messages": [{"id": "1", "type": "Default"', encoding="utf-8")

    code = main(["import", "dce", "--config", str(config), "--guild", "1", str(bad)])

    assert code == 1
    assert f"{bad}:1:" in capsys.readouterr().err


def test_stats_for_a_guild_missing_from_the_config_is_a_clear_error(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["stats", "--config", str(config), "--guild", "2", "--week", "2026-W45"])

    assert code == 1
    assert "guild 2 is not in" in capsys.readouterr().err


def test_import_into_a_guild_missing_from_the_config_imports_nothing(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    general = str(FIXTURES / "general.json")

    refused = main(["import", "dce", "--config", str(config), "--guild", "2", general])
    refusal = capsys.readouterr().err
    into_the_right_guild = main(["import", "dce", "--config", str(config), "--guild", "1", general])

    assert (refused, into_the_right_guild) == (1, 0)
    assert "guild 2 is not in" in refusal and "ids: 1" in refusal
    # Message keys are unique across guilds: had the refused import written, this adds 0.
    assert "7 new interactions" in capsys.readouterr().out
