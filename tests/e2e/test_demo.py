"""`lyceum demo` runs end to end, so the demo never rots."""

from __future__ import annotations

import asyncio
import struct
import sys
from pathlib import Path

import pytest

CHARTS = ("cohort-retention.png", "daily-active.png", "top-content.png")


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk (raises if it is not a PNG)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, str, Path]:
    data_dir = tmp_path_factory.mktemp("demo") / "demo-data"

    async def run() -> tuple[int, str]:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "demo", "--data-dir", str(data_dir),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
        output, _ = await asyncio.wait_for(process.communicate(), timeout=120)
        assert process.returncode is not None
        return process.returncode, output.decode()

    code, output = asyncio.run(run())
    return code, output, data_dir


def test_demo_exits_zero(demo_run: tuple[int, str, Path]) -> None:
    code, output, _ = demo_run
    assert code == 0, output


def test_demo_imports_history_and_replays_payments(demo_run: tuple[int, str, Path]) -> None:
    _, output, _ = demo_run
    assert "lyceum import dce:" in output
    assert "replayed the past's payments" in output


def test_demo_buys_a_tier_through_a_signed_webhook(demo_run: tuple[int, str, Path]) -> None:
    _, output, _ = demo_run
    assert "alice ran /subscribe tier:pro" in output
    assert "checkout.session.completed" in output
    assert "role Pro granted" in output


def test_demo_shows_points_and_the_leaderboard(demo_run: tuple[int, str, Path]) -> None:
    _, output, _ = demo_run
    assert "bob reached level 2 and got the @Helper role" in output
    assert "Answer accepted" in output and "Answered a question" in output
    assert "1. <@" in output and "anonymous" in output


def test_demo_posts_and_prints_the_weekly_report(demo_run: tuple[int, str, Path]) -> None:
    _, output, _ = demo_run
    assert "the weekly job posted the report for" in output
    assert "Cohort retention" in output
    assert "Only the server's owners can read stats" in output


def test_demo_writes_charts_that_are_real_pictures(demo_run: tuple[int, str, Path]) -> None:
    _, _, data_dir = demo_run
    for name in CHARTS:
        width, height = png_size(data_dir / name)
        assert width >= 600 and height >= 250, name
        assert (data_dir / name).stat().st_size > 5_000, name


def test_demo_offers_a_duplicate_then_solves_the_question(
    demo_run: tuple[int, str, Path],
) -> None:
    _, output, _ = demo_run
    assert "before posting, the bot offered:" in output
    assert "Asyncio gather swallows exceptions" in output
    assert "Marked as the answer" in output


def test_demo_onboards_newcomers_and_shows_the_funnel(demo_run: tuple[int, str, Path]) -> None:
    _, output, _ = demo_run
    assert "erin joined through discord.gg/spring-news → source 'spring-news'" in output
    assert 'erin clicked "I agree"' in output and "roles: " in output
    assert "#welcome, posted once each was in:" in output
    assert "as `lyceum stats --json` funnel shows it:" in output
    funnel = output.split("funnel shows it:")[1]
    assert "joined" in funnel and "→ agreed" in funnel
    assert "Spring newsletter: 3 joined" in funnel
