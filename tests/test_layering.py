"""The import rules that keep the layers apart (docs/architecture.md)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def python_files(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def offenders(folder: str, forbidden: tuple[str, ...]) -> list[str]:
    bad = []
    for path in python_files(folder):
        for module in imported_modules(path):
            if module.split(".")[0] in forbidden or module in forbidden:
                bad.append(f"{path.relative_to(ROOT)} imports {module}")
    return bad


def test_cogs_do_not_touch_storage_sqlalchemy_or_stripe() -> None:
    assert offenders("cogs", ("storage", "sqlalchemy", "sqlmodel", "stripe", "aiosqlite")) == []


def test_services_do_not_import_discord_or_the_web_server() -> None:
    assert offenders("bot/services", ("discord", "aiohttp")) == []


def test_storage_does_not_import_the_bot_or_discord() -> None:
    assert offenders("storage", ("bot", "cogs", "discord", "stripe")) == []


@pytest.mark.parametrize("folder", ["cogs", "bot/services"])
def test_nobody_but_the_clock_reads_the_time(folder: str) -> None:
    calls = []
    for path in python_files(folder):
        source = path.read_text(encoding="utf-8")
        for needle in ("datetime.now(", "datetime.utcnow(", "time.time("):
            if needle in source:
                calls.append(f"{path.relative_to(ROOT)} calls {needle}")
    assert calls == []
