"""`[guilds.privacy]` and PRIVACY_SECRET as the settings loader reads them."""

from __future__ import annotations

import pytest

from bot.services.privacy import PRIVACY_SECTION, PrivacySettings
from bot.settings import SettingsError, parse_settings

GUILD = "[[guilds]]\nid = 1\n[guilds.privacy]\n"


def test_retention_days_and_the_policy_link_are_read() -> None:
    text = (
        GUILD
        + 'interactions_days = 90\nforget_left_after_days = 365\npolicy_url = "https://x.example/p"\n'
    )

    guild = parse_settings(text, {}, sections=(PRIVACY_SECTION,)).guild(1)

    assert guild is not None
    assert guild.section(PRIVACY_SECTION) == PrivacySettings(90, 365, "https://x.example/p")


@pytest.mark.parametrize(
    "line", ["interactions_days = -1", "forget_left_after_days = 100000", 'policy_url = "http://x"']
)
def test_bad_retention_values_are_refused_naming_the_key(line: str) -> None:
    with pytest.raises(SettingsError) as refused:
        parse_settings(GUILD + line + "\n", {}, sections=(PRIVACY_SECTION,))

    assert f"guilds[0].privacy.{line.split()[0]}" in str(refused.value)


def test_the_privacy_secret_comes_from_the_environment_and_never_shows() -> None:
    settings = parse_settings("", {"PRIVACY_SECRET": "a-long-privacy-secret"})

    assert settings.privacy_secret.reveal() == "a-long-privacy-secret"
    assert "a-long-privacy-secret" not in repr(settings) + settings.summary()
