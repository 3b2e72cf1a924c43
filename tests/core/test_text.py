"""The text seam: catalogs are complete, placeholders fill, plurals choose."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.core.text import catalog_path, nt, t

ROOT = Path(__file__).resolve().parents[2]


def _strings_in_code() -> set[str]:
    found: set[str] = set()
    for folder in ("bot", "cogs"):
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / folder, keywords={"t": None, "nt": (1, 2)}, comment_tags=()
        ):
            found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_string_in_the_code_is_in_the_english_catalog() -> None:
    with catalog_path("en").open("rb") as po:
        catalog = read_po(po)
    missing = sorted(
        _strings_in_code() - {str(m.id if isinstance(m.id, str) else m.id[0]) for m in catalog}
    )
    assert not missing, f"run `make messages`; not in the catalog: {missing[:5]}"


def test_placeholders_are_filled_by_name() -> None:
    assert t("{count} members", count=3) == "3 members"


def test_plural_form_follows_the_count() -> None:
    assert nt("{count} member", "{count} members", 1) == "1 member"
    assert nt("{count} member", "{count} members", 2) == "2 members"
