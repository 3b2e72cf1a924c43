"""Q&A threads: ask well, find duplicates first, answer, solve (docs/qa.md)."""

from bot.services.qa.ports import QaChannel, Threads
from bot.services.qa.service import STATUS_FILTERS, QaService
from bot.services.qa.settings import QA_SETTINGS, QaSettings
from bot.services.qa.timers import Fired
from bot.services.qa.views import (
    AskForm,
    AskOutcome,
    Candidate,
    Duplicates,
    MarkOutcome,
    Posted,
    QuestionView,
    Refused,
    jump_link,
)

__all__ = [
    "QA_SETTINGS",
    "STATUS_FILTERS",
    "AskForm",
    "AskOutcome",
    "Candidate",
    "Duplicates",
    "Fired",
    "MarkOutcome",
    "Posted",
    "QaChannel",
    "QaService",
    "QaSettings",
    "QuestionView",
    "Refused",
    "Threads",
    "jump_link",
]
