"""/feedback: members tell the moderators something; stored, posted, listed, counted."""

from bot.services.feedback.service import FeedbackLine, FeedbackService

__all__ = ["FeedbackLine", "FeedbackService"]
