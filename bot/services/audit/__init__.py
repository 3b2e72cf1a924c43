"""The audit trail's own feature: moderators read it with /audit, and every entry is posted
to the moderators' log channel."""

from bot.services.audit.service import AuditLine, AuditService

__all__ = ["AuditLine", "AuditService"]
