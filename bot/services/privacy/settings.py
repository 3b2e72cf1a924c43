"""`[guilds.privacy]`: how long raw interactions and departed members' data are kept."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.settings import GuildSection
from bot.settings.sections import TableReader

MAX_DAYS = 36_500
URL_MAX = 512


@dataclass(frozen=True)
class PrivacySettings:
    """Retention (0 = keep for as long as the bot runs) and where the privacy policy is."""

    interactions_days: int = 0
    forget_left_after_days: int = 0
    # The published privacy policy (docs/privacy.md, adapted); "" = name the file only.
    policy_url: str = ""


def _url(value: str) -> str | None:
    if value == "" or (value.startswith("https://") and len(value) <= URL_MAX):
        return None
    return f"must be an https:// address of at most {URL_MAX} characters (or empty)"


def _days(value: int) -> str | None:
    return None if 0 <= value <= MAX_DAYS else f"must be 0 (keep) to {MAX_DAYS} days"


def _parse(read: TableReader, table: Mapping[str, Any], where: str) -> PrivacySettings:
    read.unknown_keys(table, set(PrivacySettings.__dataclass_fields__), where)
    return PrivacySettings(
        interactions_days=read.value(table, "interactions_days", where, int, 0, _days),
        forget_left_after_days=read.value(table, "forget_left_after_days", where, int, 0, _days),
        policy_url=read.value(table, "policy_url", where, str, "", _url),
    )


PRIVACY_SECTION: GuildSection[PrivacySettings] = GuildSection(
    name="privacy", parse=_parse, default=PrivacySettings
)
