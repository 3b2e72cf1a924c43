"""Points: help rewarded (not chatter), explained entry by entry; levels, boards, re-scores."""

from bot.services.points.config import POINTS_SECTION, PointsConfig
from bot.services.points.levels import Ladder, Level
from bot.services.points.rescore import Rescorer
from bot.services.points.rules import RULES, Rules, rule_name
from bot.services.points.service import PointsService
from bot.services.points.views import (
    PERIODS,
    BoardRow,
    BoardView,
    HistoryLine,
    Mover,
    PointsView,
    RescoreView,
)

__all__ = [
    "PERIODS",
    "POINTS_SECTION",
    "RULES",
    "BoardRow",
    "BoardView",
    "HistoryLine",
    "Ladder",
    "Level",
    "Mover",
    "PointsConfig",
    "PointsService",
    "PointsView",
    "RescoreView",
    "Rescorer",
    "Rules",
    "rule_name",
]
