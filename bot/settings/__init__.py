"""Settings: `config.toml` plus secrets from the environment."""

from bot.settings.loader import load_settings, parse_settings
from bot.settings.model import (
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
from bot.settings.sections import GuildSection, TableReader

__all__ = [
    "DatabaseSettings",
    "DiscordSettings",
    "GuildConfig",
    "GuildSection",
    "InteractionLogSettings",
    "Secret",
    "Settings",
    "SettingsError",
    "StripeSettings",
    "TableReader",
    "TierConfig",
    "WebSettings",
    "load_settings",
    "parse_settings",
]
