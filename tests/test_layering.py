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


@pytest.mark.parametrize("folder", ["cogs", "bot", "storage"])
def test_nobody_but_the_clock_reads_the_time(folder: str) -> None:
    calls = []
    for path in python_files(folder):
        if path == ROOT / "bot" / "core" / "clock.py":
            continue
        source = path.read_text(encoding="utf-8")
        for needle in ("datetime.now(", "datetime.utcnow(", "time.time("):
            if needle in source:
                calls.append(f"{path.relative_to(ROOT)} calls {needle}")
    assert calls == []


def test_the_kernel_imports_nothing_else_of_the_project() -> None:
    outside = [
        f"{path.relative_to(ROOT)} imports {module}"
        for path in python_files("bot/core")
        for module in imported_modules(path)
        if module.split(".")[0] in ("bot", "cogs", "storage", "sandbox", "discord", "stripe")
        and not module.startswith("bot.core")
    ]
    assert outside == []


@pytest.mark.parametrize("stand_in", ["sandbox/discord", "sandbox/stripe"])
def test_the_stand_ins_import_nothing_of_the_app(stand_in: str) -> None:
    assert offenders(stand_in, ("bot", "cogs", "storage", "tests")) == []


@pytest.mark.parametrize("folder", ["bot", "cogs", "storage"])
def test_the_app_imports_the_sandbox_only_for_the_demo(folder: str) -> None:
    top_level = []
    for path in python_files(folder):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:  # module level only: the CLI's demo command imports lazily
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
                names += (
                    [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
                )
                top_level += [
                    f"{path.relative_to(ROOT)} imports {n}"
                    for n in names
                    if n.startswith("sandbox")
                ]
    assert top_level == []
