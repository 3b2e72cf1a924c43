"""Replies, notices and domain errors carry text from `t()`/`nt()`, never a bare literal."""

from __future__ import annotations

import ast
from pathlib import Path

from bot.core.errors import DomainError

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = ("cogs", "bot/services")
# (file, line text) pairs allowed to pass a literal; keep this short and explain each.
ALLOWED: frozenset[tuple[str, str]] = frozenset()
# Helpers that send what people read, and where their text goes: (position, keyword).
TEXT_ARGUMENT = {
    "respond": (1, "content"),
    "alert_moderators": (2, "text"),
    "notify_member": (3, "text"),
    "queue_notice": (3, "text"),
}


def _domain_error_names(trees: list[ast.Module]) -> set[str]:
    """DomainError and its subclasses, the library's and those the code defines."""
    names: set[str] = set()
    pending: list[type[DomainError]] = [DomainError]
    while pending:
        cls = pending.pop()
        names.add(cls.__name__)
        pending.extend(cls.__subclasses__())
    grew = True
    while grew:
        grew = False
        for tree in trees:
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef) and node.name not in names:
                    bases = {
                        b.id if isinstance(b, ast.Name) else getattr(b, "attr", "")
                        for b in node.bases
                    }
                    if bases & names:
                        names.add(node.name)
                        grew = True
    return names


def _is_literal_text(node: ast.expr | None) -> bool:
    """A string written in place: a literal, an f-string, or literals glued with + or %."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and bool(node.value)
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod):
        return _is_literal_text(node.left) or _is_literal_text(node.right)
    if isinstance(node, ast.IfExp):
        return _is_literal_text(node.body) or _is_literal_text(node.orelse)
    return False


def _callee(call: ast.Call) -> str:
    func = call.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


def literal_texts(tree: ast.Module, error_names: set[str]) -> list[int]:
    """Lines where a reply, notice or domain error gets a bare literal, not `t()`/`nt()`."""
    lines = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _callee(node)
        if name in TEXT_ARGUMENT:
            position, keyword = TEXT_ARGUMENT[name]
            text = node.args[position] if len(node.args) > position else None
            text = next((k.value for k in node.keywords if k.arg == keyword), text)
            if _is_literal_text(text):
                lines.append(node.lineno)
        elif name in error_names:
            message = node.args[0] if node.args else None
            message = next((k.value for k in node.keywords if k.arg == "user_message"), message)
            if _is_literal_text(message):
                lines.append(node.lineno)
    return sorted(lines)


def _modules() -> dict[Path, ast.Module]:
    files = sorted(path for folder in FOLDERS for path in (ROOT / folder).rglob("*.py"))
    return {path: ast.parse(path.read_text(encoding="utf-8"), str(path)) for path in files}


def test_replies_notices_and_domain_errors_take_their_text_from_t() -> None:
    modules = _modules()
    error_names = _domain_error_names(list(modules.values()))
    found = []
    for path, tree in modules.items():
        source = path.read_text(encoding="utf-8").splitlines()
        for line in literal_texts(tree, error_names):
            where = (str(path.relative_to(ROOT)), source[line - 1].strip())
            if where not in ALLOWED:
                found.append(f"{where[0]}:{line}: {where[1]}")
    assert not found, "wrap the text in t()/nt():\n" + "\n".join(found)


def test_the_check_sees_literals_and_lets_t_pass() -> None:
    sample = ast.parse(
        "async def f(i, x):\n"
        "    await respond(i, 'Hello')\n"
        "    await respond(i, f'Hi {x}')\n"
        "    await respond(i, content='a' + x)\n"
        "    raise NotFound(f'no {x}')\n"
        "    raise Refused('nope' if x else 'no')\n"
        "    await respond(i, t('Hello'))\n"
        "    await respond(i, embeds=[])\n"
        "    raise NotFound(t('no {x}', x=x))\n"
        "    await ledger.alert_moderators(s, 1, f'{x} left', e)\n"
        "    await ledger.notify_member(s, 1, 2, t('Paid'), e)\n"
        "class Refused(InvalidInput):\n"
        "    pass\n"
    )
    names = _domain_error_names([sample])
    assert "Refused" in names
    assert literal_texts(sample, names) == [2, 3, 4, 5, 6, 10]
