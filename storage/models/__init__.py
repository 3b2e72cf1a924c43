"""Every table of the data model; importing this registers them on SQLModel.metadata."""

from storage.models.activity import Interaction, PointsEntry, Report
from storage.models.billing import Entitlement, RoleChange, StripeEvent, Tier
from storage.models.community import AuditEntry, GuildSettings, Member
from storage.models.content import ContentItem, Drop
from storage.models.qa import Question

__all__ = [
    "AuditEntry",
    "ContentItem",
    "Drop",
    "Entitlement",
    "GuildSettings",
    "Interaction",
    "Member",
    "PointsEntry",
    "Question",
    "Report",
    "RoleChange",
    "StripeEvent",
    "Tier",
]
