"""Privacy: `/privacy` export, deletion, opt-outs, and retention (docs/privacy.md)."""

from bot.services.privacy.keys import PrivacyKey
from bot.services.privacy.retention import PrivacyRetention, RetentionRun
from bot.services.privacy.service import (
    Deleted,
    FeatureHooks,
    PrivacyInfo,
    PrivacyService,
    PrivacyUnavailable,
)
from bot.services.privacy.settings import PRIVACY_SECTION, PrivacySettings

__all__ = [
    "PRIVACY_SECTION",
    "Deleted",
    "FeatureHooks",
    "PrivacyInfo",
    "PrivacyKey",
    "PrivacyRetention",
    "PrivacyService",
    "PrivacySettings",
    "PrivacyUnavailable",
    "RetentionRun",
]
