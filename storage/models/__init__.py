"""Every table of the data model; importing this registers them on SQLModel.metadata."""

from storage.models.activity import Interaction, PointsEntry, Report
from storage.models.billing import (
    BillingNotice,
    Dispute,
    Entitlement,
    ManagedRole,
    RoleChange,
    StripeEvent,
    Tier,
)
from storage.models.community import AuditEntry, GuildSettings, Member
from storage.models.content import ContentItem, Drop
from storage.models.qa import Question
from storage.models.stats import (
    StatsCursor,
    StatsEvent,
    StatsGuildDay,
    StatsGuildState,
    StatsMemberDay,
    StatsMemberFirst,
    StatsMemberSpan,
    StatsMemberWeek,
    StatsPaidSpan,
)

__all__ = [
    "AuditEntry",
    "BillingNotice",
    "ContentItem",
    "Dispute",
    "Drop",
    "Entitlement",
    "GuildSettings",
    "Interaction",
    "ManagedRole",
    "Member",
    "PointsEntry",
    "Question",
    "Report",
    "RoleChange",
    "StatsCursor",
    "StatsEvent",
    "StatsGuildDay",
    "StatsGuildState",
    "StatsMemberDay",
    "StatsMemberFirst",
    "StatsMemberSpan",
    "StatsMemberWeek",
    "StatsPaidSpan",
    "StripeEvent",
    "Tier",
]
