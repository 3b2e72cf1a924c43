"""Drops: the content library, scheduled drops (exactly once), drip, likes and comments."""

from bot.services.drops.core import ContentNotFound, DropNotFound
from bot.services.drops.service import DropService
from bot.services.drops.settings import DROPS_SECTION, DropsSettings
from bot.services.drops.views import (
    DropChannel,
    DropPreview,
    DropView,
    ItemInput,
    ItemView,
    LibraryEntry,
    LibraryPage,
    Opened,
    RecentPost,
    RunSummary,
)
from bot.services.drops.when import WhenChoice, parse_when

__all__ = [
    "DROPS_SECTION",
    "ContentNotFound",
    "DropChannel",
    "DropNotFound",
    "DropPreview",
    "DropService",
    "DropView",
    "DropsSettings",
    "ItemInput",
    "ItemView",
    "LibraryEntry",
    "LibraryPage",
    "Opened",
    "RecentPost",
    "RunSummary",
    "WhenChoice",
    "parse_when",
]
