"""The text seam: every string a member or moderator reads goes through `t` or `nt`.

Messages live in gettext catalogs (`bot/core/locale/<lang>/LC_MESSAGES/lyceum.po`),
compiled with Babel when first used. English is the source language, so its catalog may
leave translations empty; a second language is a new catalog, not a rewrite.
`make messages` re-extracts the catalog from the code.
"""

from __future__ import annotations

import gettext
import io
from contextvars import ContextVar
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

DOMAIN = "lyceum"
DEFAULT_LANGUAGE = "en"
LOCALE_DIR = Path(__file__).with_name("locale")

_language: ContextVar[str] = ContextVar("language", default=DEFAULT_LANGUAGE)


def catalog_path(language: str) -> Path:
    """Where the `.po` catalog of `language` lives."""
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(language: str) -> gettext.NullTranslations:
    """The compiled catalog of `language` (untranslated text when there is none)."""
    path = catalog_path(language)
    if not path.is_file():
        return gettext.NullTranslations()
    with path.open("rb") as po:
        catalog = read_po(po, locale=language, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def use_language(language: str) -> None:
    """Speak `language` in this context (a task, a request) from now on."""
    _language.set(language)


def t(message: str, /, **values: object) -> str:
    """`message` in the current language, with `{name}` placeholders filled from `values`."""
    text = translations(_language.get()).gettext(message)
    return text.format(**values) if values else text


def nt(singular: str, plural: str, count: int, /, **values: object) -> str:
    """The singular or plural form for `count` (also available as `{count}`)."""
    text = translations(_language.get()).ngettext(singular, plural, count)
    return text.format(count=count, **values)
