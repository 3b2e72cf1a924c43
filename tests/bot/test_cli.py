from pathlib import Path

import pytest

from bot.cli import main

EXAMPLE = Path(__file__).resolve().parents[2] / "config.example.toml"
READY = """
[discord]
application_id = 42

[database]
url = "sqlite+aiosqlite:///{db}"

[[guilds]]
id = 1001
owners_channel_id = 5
"""


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(READY.format(db=tmp_path / "lyceum.db"), encoding="utf-8")
    return path


def test_check_config_lists_what_the_example_is_missing(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    assert main(["check-config", str(EXAMPLE)]) == 1
    out = capsys.readouterr().out
    assert "DISCORD_TOKEN: not set" in out
    assert "guilds[0].id: not set (0)" in out


def test_check_config_says_ok_without_printing_secrets(
    config: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "very-secret-token")
    assert main(["check-config", str(config)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("ok: ")
    assert "DISCORD_TOKEN set" in out
    assert "very-secret-token" not in out


def test_check_config_reports_a_broken_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("[web]\nport = 99999\n", encoding="utf-8")
    assert main(["check-config", str(broken)]) == 1
    assert "web.port: must be between 0 and 65535, got 99999" in capsys.readouterr().out


def test_run_refuses_an_unmigrated_database_and_says_what_to_run(
    config: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "token")
    assert main(["run", "--config", str(config)]) == 1
    assert "run `lyceum migrate --config PATH` first" in capsys.readouterr().err


def test_migrate_brings_the_database_to_the_newest_revision(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["migrate", "--config", str(config)]) == 0
    assert "database migrated" in capsys.readouterr().out
