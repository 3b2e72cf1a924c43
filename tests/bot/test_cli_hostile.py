"""Hostile configs and inputs: one clear line and a non-zero exit, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.cli import main
from bot.settings import Settings, SettingsError, parse_settings

DEEP = 5000
HUGE_INT = "9" * 5000
LONG_ZONE = "Europe/" + "x" * 100_000
HOSTILE = {
    "toml-nested-5000-deep": f"[web]\nhost = {'[' * DEEP}{']' * DEEP}\n",
    "toml-inline-tables-5000-deep": "x = " + "{a = " * DEEP + "1" + "}" * DEEP + "\n",
    "integer-of-5000-digits": f"[web]\nport = {HUGE_INT}\n",
    "timezone-of-100000-characters": f'[[guilds]]\nid = 1\ntimezone = "{LONG_ZONE}"\n',
    "guild-id-beyond-64-bits": "[[guilds]]\nid = 99999999999999999999\n",
    "grace-days-10^18": "[stripe]\npast_due_grace_days = 1000000000000000000\n",
    "timeout-infinite": "[interaction_log]\nclose_timeout_s = inf\n",
}


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def assert_one_clear_refusal(code: int, output: str) -> None:
    assert code != 0
    assert "Traceback" not in output
    assert 0 < len(output) < 2000, output[:300]
    assert all(len(line) < 400 for line in output.splitlines())


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
@pytest.mark.parametrize("command", ["check-config", "migrate", "stats"])
def test_hostile_config_is_refused_in_one_clear_message(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    command: str,
    text: str,
) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)  # the default database, if ever used, lands here
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    argv = {
        "check-config": ["check-config", str(path)],
        "migrate": ["migrate", "--config", str(path)],
        "stats": ["stats", "--config", str(path), "--guild", "1"],
    }[command]

    assert_one_clear_refusal(*run(argv, capsys))


def test_an_unexpected_failure_is_one_line_and_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    path = tmp_path / "config.toml"
    path.write_text(f'[database]\nurl = "sqlite+aiosqlite:///{tmp_path}/x.db"\n', encoding="utf-8")

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr("bot.cli.Database.from_url", broken)
    code, output = run(["migrate", "--config", str(path)], capsys)

    assert_one_clear_refusal(code, output)
    assert output.count("\n") == 1 and output.startswith("error: ")


@pytest.mark.parametrize("week", ["0001-W01", "9999-W52", "1970-W01", "2014-W52", "20260-W1"])
def test_stats_for_a_week_outside_the_sane_range_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, week: str
) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    db = tmp_path / "x.db"
    path = tmp_path / "config.toml"
    path.write_text(f'[database]\nurl = "sqlite+aiosqlite:///{db}"\n\n[[guilds]]\nid = 1\n')
    assert main(["migrate", "--config", str(path)]) == 0
    capsys.readouterr()

    code, output = run(["stats", "--config", str(path), "--guild", "1", "--week", week], capsys)

    assert_one_clear_refusal(code, output)
    assert output.startswith("error: ")


# ---------------------------------------------------------------- fuzz

KEYS = [
    ("discord", "application_id"), ("discord", "shard_count"), ("discord", "shard_ids"),
    ("discord", "guild_ready_timeout"), ("discord", "api_base"), ("database", "url"),
    ("web", "host"), ("web", "port"), ("stripe", "past_due_grace_days"),
    ("stripe", "reconcile_hour"), ("stripe", "success_url"), ("interaction_log", "batch_size"),
    ("interaction_log", "flush_interval_s"), ("interaction_log", "max_pending"),
    ("interaction_log", "close_timeout_s"), ("interaction_log", "max_attempts"),
]  # fmt: skip
GUILD_KEYS = ["id", "timezone", "report_weekday", "report_hour", "owners_channel_id"]
toml_scalars = st.one_of(
    st.integers(-(10**40), 10**40).map(str),
    st.sampled_from(["inf", "-inf", "nan", "0", "-1", "1e308", "2e-308", "true", '""']),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.text(max_size=30).map(lambda text: '"' + text.encode("unicode_escape").decode() + '"'),
    st.integers(1, 3000).map(lambda size: '"' + "x" * size + '"'),
)
toml_values = st.one_of(
    toml_scalars,
    st.lists(toml_scalars, max_size=3).map(lambda items: "[" + ", ".join(items) + "]"),
    st.integers(1, 2000).map(lambda depth: "[" * depth + "]" * depth),
)


@st.composite
def configs(draw: st.DrawFn) -> str:
    lines: list[str] = []
    for table, key in draw(st.lists(st.sampled_from(KEYS), max_size=4, unique=True)):
        lines += [f"[{table}]", f"{key} = {draw(toml_values)}"]
    for _ in range(draw(st.integers(0, 2))):
        lines.append("[[guilds]]")
        for key in draw(st.lists(st.sampled_from(GUILD_KEYS), max_size=3, unique=True)):
            lines.append(f"{key} = {draw(toml_values)}")
    return "\n".join(lines) + "\n"


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=configs() | st.text(max_size=200))
def test_any_config_text_loads_or_lists_short_problems(text: str) -> None:
    try:
        loaded = parse_settings(text, {})
    except SettingsError as error:
        assert error.problems and all(len(problem) < 400 for problem in error.problems)
        return
    assert isinstance(loaded, Settings)
    for guild in loaded.guilds:
        assert 0 <= guild.id < 2**63
