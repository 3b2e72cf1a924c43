"""Secret values this process has seen, and text with them taken out.

Settings never print secrets; this is the second line: every log line the CLI writes and
every error it prints goes through `scrub`, so a library that echoes a URL or a key
(SQLAlchemy, asyncpg, a traceback) still shows `***`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from urllib.parse import unquote, unquote_plus

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

SECRET_ENV = ("DISCORD_TOKEN", "STRIPE_API_KEY", "STRIPE_WEBHOOK_SECRET", "PRIVACY_SECRET")
HIDDEN = "***"
# Shorter values would blank out ordinary words ("token"); no real secret is this short.
MIN_SECRET_CHARS = 6

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]{0,40}")
_USERINFO_PASSWORD = re.compile(r"://[^/?#@:]*:([^/?#@]*)@")
_SECRET_PARAM = re.compile(r"pass|secret|token|key", re.IGNORECASE)
_QUERY_PARAM = re.compile(r"[?&]([^=&#]+)=([^&#]*)")
_LIBPQ_PARAM = re.compile(r"(\w+)\s*=\s*('(?:[^'\\]|\\.)*'|\S*)")

_known: set[str] = set()
_pattern: re.Pattern[str] | None = None


def remember(values: Iterable[str]) -> None:
    """Add values to scrub from now on (short ones are ignored)."""
    global _pattern
    fresh = {value for value in values if len(value) >= MIN_SECRET_CHARS} - _known
    if fresh:
        _known.update(fresh)
        ordered = sorted(_known, key=len, reverse=True)  # the longest match first
        _pattern = re.compile("|".join(re.escape(value) for value in ordered))


def scrub(text: str) -> str:
    """`text` with every remembered secret replaced by ***."""
    return text if _pattern is None else _pattern.sub(HIDDEN, text)


def is_libpq_string(url: str) -> bool:
    """True for a libpq key=value connection string (`host=db user=lyc password=...`)."""
    return "://" not in url and _LIBPQ_PARAM.search(url) is not None


def _with_decoded(values: Iterable[str]) -> set[str]:
    found: set[str] = set()
    for value in values:
        found.update({value, unquote(value), unquote_plus(value)})
    return found


def database_secrets(url: str) -> set[str]:
    """Every password a database URL holds, in any style, as written and decoded."""
    raw: list[str] = []
    if is_libpq_string(url):
        for key, value in _LIBPQ_PARAM.findall(url):
            if _SECRET_PARAM.search(key):
                quoted = len(value) >= 2 and value[0] == value[-1] == "'"
                raw.append(
                    value[1:-1].replace("\\'", "'").replace("\\\\", "\\") if quoted else value
                )
        return _with_decoded(raw)
    raw += _USERINFO_PASSWORD.findall(url)
    raw += [value for key, value in _QUERY_PARAM.findall(url) if _SECRET_PARAM.search(key)]
    try:
        password = make_url(url).password if "://" in url else None
    except (ArgumentError, ValueError, TypeError):
        password = None
    if isinstance(password, str):
        raw.append(password)
    return _with_decoded(raw)


def environment_secrets(environ: Mapping[str, str]) -> set[str]:
    """The secrets the environment holds: keys, token, and the database password."""
    found = {environ.get(name, "") for name in SECRET_ENV}
    return found | database_secrets(environ.get("DATABASE_URL", ""))


def redact_database_url(url: str) -> str:
    """The URL for display: no password, no secret query value, nothing from libpq strings."""
    scheme = url.split("://", 1)[0] if "://" in url else ""
    if not _SCHEME.fullmatch(scheme):
        return "<not a database URL>"
    try:
        parsed = make_url(url)
        query = {
            key: HIDDEN if _SECRET_PARAM.search(key) else value
            for key, value in parsed.query.items()
        }
        shown = parsed.set(query=query).render_as_string(hide_password=True)
    except (ArgumentError, ValueError, TypeError):
        return f"{scheme}://<unreadable>"
    return scrub(shown.replace("%2A%2A%2A", HIDDEN))


class ScrubbingFormatter(logging.Formatter):
    """A formatter whose output (message and traceback) never holds a remembered secret."""

    def format(self, record: logging.LogRecord) -> str:
        """The formatted record, scrubbed."""
        return scrub(super().format(record))
