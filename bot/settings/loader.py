"""Reading `config.toml` plus environment secrets, collecting every problem in one pass."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.settings.model import (
    TIER_KINDS,
    WEEKDAYS,
    DatabaseSettings,
    DiscordSettings,
    GuildConfig,
    InteractionLogSettings,
    Secret,
    Settings,
    SettingsError,
    StripeSettings,
    TierConfig,
    WebSettings,
)
from bot.settings.secrets import (
    database_secrets,
    environment_secrets,
    is_libpq_string,
    remember,
)
from bot.settings.sections import GuildSection, TableReader, shown

_TIER_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
_SUPPORTED_DATABASES = ("sqlite+aiosqlite://", "postgresql+asyncpg://")
# IANA names: "Europe/Berlin", "America/Argentina/Buenos_Aires", "Etc/GMT+5".
_ZONE_NAME = re.compile(r"^[A-Za-z0-9_+\-]{1,32}(/[A-Za-z0-9_+\-]{1,32}){0,3}$")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]{0,40}")
_SNOWFLAKE_MAX = 2**63 - 1
_MAX_SHARDS = 100_000
_DAY_S = 86_400  # the longest duration a setting may hold: finite, and far beyond any use


def _non_negative(value: int | float) -> str | None:
    return None if value >= 0 else f"must be >= 0, got {shown(value)}"


def _positive(value: int | float) -> str | None:
    return None if value > 0 else f"must be > 0, got {shown(value)}"


def _in_range(low: float, high: float) -> Callable[[Any], str | None]:
    """Between `low` and `high` (NaN never is)."""
    return lambda v: (
        None if low <= v <= high else f"must be between {low} and {high}, got {shown(v)}"
    )


def _seconds(high: float) -> Callable[[Any], str | None]:
    """A duration: more than 0 and at most `high` seconds."""
    return lambda v: None if 0 < v <= high else f"must be > 0 and <= {high}, got {shown(v)}"


def _discord_id(value: int) -> str | None:
    if 0 <= value <= _SNOWFLAKE_MAX:
        return None
    return f"must be a Discord id (0 to {_SNOWFLAKE_MAX}), got {shown(value)}"


def _http_url(value: str) -> str | None:
    if value == "" or (value.startswith(("http://", "https://")) and len(value) <= 2000):
        return None
    return f"must be empty or an http(s) URL, got {shown(value)}"


def _database_url(value: str) -> str | None:
    """Why the URL cannot be used, never echoing it (it may hold a password)."""
    supported = " or ".join(_SUPPORTED_DATABASES)
    if is_libpq_string(value):
        return (
            "is a libpq key=value string; write it as a URL such as "
            "postgresql+asyncpg://USER:PASSWORD@HOST:5432/DBNAME"
        )
    if not value.startswith(_SUPPORTED_DATABASES):
        scheme = value.split("://", 1)[0] if "://" in value else ""
        named = f"a {scheme!r} URL" if _SCHEME.fullmatch(scheme) else "something else"
        return f"must start with {supported}, got {named}"
    try:
        make_url(value)
    except (ArgumentError, ValueError, TypeError):
        return (
            "cannot be read as a URL (a port that is not a number? characters such as "
            "@ : / in the password must be percent-encoded)"
        )
    return None


def _timezone(value: str) -> str | None:
    problem = f"unknown time zone {shown(value)} (use an IANA name such as 'Europe/Berlin')"
    if not _ZONE_NAME.match(value):
        return problem  # not a name ZoneInfo should even look up (too long, odd characters)
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return problem
    return None


def _weekday(value: str) -> str | None:
    return (
        None if value in WEEKDAYS else f"must be one of {', '.join(WEEKDAYS)}, got {shown(value)}"
    )


def _tier_key(value: str) -> str | None:
    if _TIER_KEY.match(value):
        return None
    return f"must be a short slug (a-z, 0-9, - and _), got {shown(value)}"


def _price_id(value: str) -> str | None:
    return (
        None
        if value.startswith("price_") and len(value) <= 255
        else f"must be a Stripe price id (price_...), got {shown(value)}"
    )


def _tier_kind(value: str) -> str | None:
    return (
        None
        if value in TIER_KINDS
        else f"must be one of {', '.join(TIER_KINDS)}, got {shown(value)}"
    )


def _build(
    data: Mapping[str, Any],
    environ: Mapping[str, str],
    source: str,
    sections: Sequence[GuildSection[Any]],
) -> Settings:
    problems: list[str] = []
    read = TableReader(problems)
    read.unknown_keys(
        data, {"discord", "database", "web", "stripe", "interaction_log", "guilds"}, "config"
    )

    d = read.table(data, "discord", "discord")
    read.unknown_keys(d, set(DiscordSettings.__dataclass_fields__), "discord")
    if "token" in d:
        problems.append("discord.token: secrets do not belong in the file; set DISCORD_TOKEN")
    shard_ids = read.value(d, "shard_ids", "discord", list, [])
    if not all(isinstance(s, int) and 0 <= s < _MAX_SHARDS for s in shard_ids):
        problems.append("discord.shard_ids: must be a list of non-negative integers")
        shard_ids = []
    discord_settings = DiscordSettings(
        token=Secret(environ.get("DISCORD_TOKEN", "")),
        application_id=read.value(d, "application_id", "discord", int, 0, _discord_id),
        dev_guild_id=read.value(d, "dev_guild_id", "discord", int, 0, _discord_id),
        api_base=read.value(d, "api_base", "discord", str, "", _http_url),
        sync_commands=read.value(d, "sync_commands", "discord", bool, True),
        shard_count=read.value(d, "shard_count", "discord", int, 0, _in_range(0, _MAX_SHARDS)),
        shard_ids=tuple(shard_ids),
        guild_ready_timeout=read.value(
            d, "guild_ready_timeout", "discord", float, 2.0, _seconds(_DAY_S)
        ),
        member_commands_per_minute=read.value(
            d, "member_commands_per_minute", "discord", int, 20, _in_range(0, 600)
        ),
    )

    db = read.table(data, "database", "database")
    read.unknown_keys(db, {"url"}, "database")
    db_url = environ.get("DATABASE_URL") or read.value(
        db, "url", "database", str, DatabaseSettings.url
    )
    remember(database_secrets(db_url))
    if problem := _database_url(db_url):
        where = "DATABASE_URL" if environ.get("DATABASE_URL") else "database.url"
        problems.append(f"{where}: {problem}")

    w = read.table(data, "web", "web")
    read.unknown_keys(w, {"host", "port"}, "web")
    web = WebSettings(
        host=read.value(w, "host", "web", str, "127.0.0.1"),
        port=read.value(w, "port", "web", int, 8080, _in_range(0, 65535)),
    )

    s = read.table(data, "stripe", "stripe")
    secret_keys = {"api_key", "webhook_secret"}
    read.unknown_keys(s, set(StripeSettings.__dataclass_fields__), "stripe")
    for key in sorted(secret_keys & set(s)):
        env = "STRIPE_API_KEY" if key == "api_key" else "STRIPE_WEBHOOK_SECRET"
        problems.append(f"stripe.{key}: secrets do not belong in the file; set {env}")
    stripe_settings = StripeSettings(
        api_key=Secret(environ.get("STRIPE_API_KEY", "")),
        webhook_secret=Secret(environ.get("STRIPE_WEBHOOK_SECRET", "")),
        api_base=read.value(s, "api_base", "stripe", str, "", _http_url),
        success_url=read.value(
            s, "success_url", "stripe", str, StripeSettings.success_url, _http_url
        ),
        cancel_url=read.value(s, "cancel_url", "stripe", str, StripeSettings.cancel_url, _http_url),
        portal_return_url=read.value(
            s, "portal_return_url", "stripe", str, StripeSettings.portal_return_url, _http_url
        ),
        past_due_grace_days=read.value(
            s, "past_due_grace_days", "stripe", int, 3, _in_range(0, 365)
        ),
        reconcile_hour=read.value(s, "reconcile_hour", "stripe", int, 4, _in_range(0, 23)),
    )

    il = read.table(data, "interaction_log", "interaction_log")
    read.unknown_keys(il, set(InteractionLogSettings.__dataclass_fields__), "interaction_log")
    interaction_log = InteractionLogSettings(
        batch_size=read.value(
            il, "batch_size", "interaction_log", int, 1000, _in_range(1, 1_000_000)
        ),
        flush_interval_s=read.value(
            il, "flush_interval_s", "interaction_log", float, 1.0, _seconds(_DAY_S)
        ),
        max_pending=read.value(
            il, "max_pending", "interaction_log", int, 100_000, _in_range(1, 100_000_000)
        ),
        close_timeout_s=read.value(
            il, "close_timeout_s", "interaction_log", float, 5.0, _in_range(0, _DAY_S)
        ),
        max_attempts=read.value(
            il, "max_attempts", "interaction_log", int, 4, _in_range(1, 1_000_000_000)
        ),
    )

    guilds = _read_guilds(data.get("guilds", []), read, sections)
    if problems:
        raise SettingsError(problems)
    return Settings(
        discord=discord_settings,
        database=DatabaseSettings(url=db_url),
        web=web,
        stripe=stripe_settings,
        interaction_log=interaction_log,
        guilds=guilds,
        source=source,
        privacy_secret=Secret(environ.get("PRIVACY_SECRET", "")),
    )


def _read_guilds(
    raw: Any, read: TableReader, sections: Sequence[GuildSection[Any]]
) -> tuple[GuildConfig, ...]:
    if not isinstance(raw, list):
        read.problems.append("guilds: must be an array of tables ([[guilds]])")
        return ()
    guilds: list[GuildConfig] = []
    seen: set[int] = set()
    ids = ("member_role_id", "moderator_role_id", "owner_role_id", "welcome_channel_id",
           "mod_log_channel_id", "owners_channel_id", "qa_channel_id")  # fmt: skip
    for i, g in enumerate(raw):
        where = f"guilds[{i}]"
        if not isinstance(g, dict):
            read.problems.append(f"{where}: must be a table")
            continue
        known = set(GuildConfig.__dataclass_fields__) - {"sections"}
        read.unknown_keys(g, known | {section.name for section in sections}, where)
        if "id" not in g:
            read.problems.append(f"{where}.id: missing; use the server's id")
        guild_id = read.value(g, "id", where, int, 0, _discord_id)
        if guild_id and guild_id in seen:
            read.problems.append(f"{where}.id: {guild_id} is configured twice")
        seen.add(guild_id)
        guilds.append(
            GuildConfig(
                id=guild_id,
                timezone=read.value(g, "timezone", where, str, "UTC", _timezone),
                report_weekday=read.value(g, "report_weekday", where, str, "mon", _weekday),
                report_hour=read.value(g, "report_hour", where, int, 9, _in_range(0, 23)),
                tiers=_read_tiers(g.get("tiers", []), read, where),
                sections={
                    section.name: section.parse(
                        read, read.table(g, section.name, where), f"{where}.{section.name}"
                    )
                    for section in sections
                },
                **{key: read.value(g, key, where, int, 0, _discord_id) for key in ids},
            )
        )
    return tuple(guilds)


def _read_tiers(raw: Any, read: TableReader, guild_where: str) -> tuple[TierConfig, ...]:
    if not isinstance(raw, list):
        read.problems.append(f"{guild_where}.tiers: must be an array of tables ([[guilds.tiers]])")
        return ()
    tiers: list[TierConfig] = []
    keys: set[str] = set()
    for j, t in enumerate(raw):
        where = f"{guild_where}.tiers[{j}]"
        if not isinstance(t, dict):
            read.problems.append(f"{where}: must be a table")
            continue
        read.unknown_keys(t, set(TierConfig.__dataclass_fields__), where)
        for required in ("key", "name", "stripe_price_id"):
            if required not in t:
                read.problems.append(f"{where}.{required}: missing")
        key = read.value(t, "key", where, str, "", _tier_key)
        if key and key in keys:
            read.problems.append(f"{where}.key: {key!r} is used by two tiers")
        keys.add(key)
        price = read.value(t, "stripe_price_id", where, str, "", _price_id)
        tiers.append(
            TierConfig(
                key=key,
                name=read.value(t, "name", where, str, key),
                kind=read.value(t, "kind", where, str, "subscription", _tier_kind),
                stripe_price_id=price,
                role_id=read.value(t, "role_id", where, int, 0, _discord_id),
            )
        )
    return tuple(tiers)


def shown_error(error: Exception) -> str:
    """An error's message, cut short enough for one line."""
    text = str(error)
    return text if len(text) <= 200 else f"{text[:197]}..."


def parse_settings(
    text: str,
    environ: Mapping[str, str],
    source: str = "<string>",
    sections: Sequence[GuildSection[Any]] = (),
) -> Settings:
    """Parse TOML text plus environment secrets; raise `SettingsError` listing every problem.

    `sections` are the features' own guild tables (`bot.features.guild_sections()`).
    """
    remember(environment_secrets(environ))
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise SettingsError([f"{source}: not valid TOML: {shown_error(error)}"]) from None
    except RecursionError:
        raise SettingsError([f"{source}: not valid TOML: nested too deeply"]) from None
    except ValueError:  # an integer of more than 4300 digits
        raise SettingsError([f"{source}: not valid TOML: a number is far too long"]) from None
    return _build(data, environ, source, sections)


def load_settings(
    path: str | Path, environ: Mapping[str, str], sections: Sequence[GuildSection[Any]] = ()
) -> Settings:
    """Read and validate a config file; raise `SettingsError` listing every problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SettingsError([f"{path}: no such file"]) from None
    except (OSError, UnicodeDecodeError) as error:
        raise SettingsError([f"{path}: cannot read: {error}"]) from None
    return parse_settings(text, environ, source=str(path), sections=sections)
