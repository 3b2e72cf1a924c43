"""Every feature of Lyceum, in the order the runtime builds, starts and catches them up.

Adding a feature: its packages (`storage/<f>/`, `bot/services/<f>/`, `cogs/<f>/`) and its
record here. Order matters: a feature may use the services of those above it, starts
after them and stops before them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from bot.core.events import MemberJoined, MemberLeft, MemberOnboarded, PaidAccessChanged
from bot.core.ports import DirectMessages, Levels, Standing
from bot.feature import Context, Feature, Privacy
from bot.services.privacy.settings import PRIVACY_SECTION
from bot.services.qa.settings import QA_SETTINGS
from bot.settings import GuildSection
from storage.activity import privacy as activity_privacy
from storage.audit import privacy as audit_privacy
from storage.billing import privacy as billing_privacy
from storage.drops import privacy as drops_privacy
from storage.feedback import privacy as feedback_privacy
from storage.onboarding import privacy as onboarding_privacy
from storage.points import privacy as points_privacy
from storage.qa import privacy as qa_privacy
from storage.roles import privacy as roles_privacy
from storage.stats import privacy as stats_privacy

if TYPE_CHECKING:
    from aiohttp import web

    from bot.services.activity import ActivityService
    from bot.services.audit import AuditService
    from bot.services.billing import BillingService, StripeApi
    from bot.services.drops import DropService
    from bot.services.feedback import FeedbackService
    from bot.services.onboarding import OnboardingService
    from bot.services.points import PointsService
    from bot.services.points.config import PointsConfig
    from bot.services.privacy import PrivacyService
    from bot.services.qa.service import QaService
    from bot.services.roles import RoleService
    from bot.services.stats import StatsService
    from bot.settings import TableReader

# Services are imported when a feature is built, not when this module is: the CLI reads
# the records to list commands and should not load every feature's dependencies to do so.


class _Running(Protocol):
    """A service with workers or timers of its own."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


async def _start(service: _Running) -> None:
    await service.start()


async def _stop(service: _Running) -> None:
    await service.stop()


def _activity(ctx: Context) -> ActivityService:
    from bot.services.activity import ActivityService

    activity = ActivityService(ctx.db, ctx.interaction_log, ctx.clock, ctx.ports.roster, ctx.bus)
    ctx.bus.subscribe(MemberOnboarded, activity.member_onboarded)
    return activity


ACTIVITY = Feature(
    name="activity",
    build=_activity,
    extension="cogs.activity",
    catch_up=lambda activity: activity.catch_up(),
    privacy=Privacy(
        activity_privacy.TABLES, activity_privacy.export_member, activity_privacy.forget_member
    ),
)


def _roles(ctx: Context) -> RoleService:
    from bot.services.roles import RoleService

    return RoleService(
        ctx.settings,
        ctx.db,
        ctx.clock,
        roles=ctx.ports.roles,
        notifier=ctx.ports.notifier,
        publisher=ctx.ports.publisher,
        direct_messages=lambda: ctx.services.providing(DirectMessages),  # type: ignore[type-abstract]
    )


# The one outbox for every role the bot gives (tier roles now; member, interest and
# reward roles next) and the notices that go with them.
ROLES = Feature(
    name="roles",
    build=_roles,
    start=_start,
    stop=_stop,
    privacy=Privacy(roles_privacy.TABLES, roles_privacy.export_member, roles_privacy.forget_member),
)


def _onboarding(ctx: Context) -> OnboardingService:
    from bot.services.onboarding import OnboardingService
    from bot.services.roles import RoleService

    onboarding = OnboardingService(
        ctx.settings,
        ctx.db,
        ctx.clock,
        ctx.interaction_log,
        ctx.bus,
        ctx.ports.publisher,
        ctx.services.get(RoleService),
        notifier=ctx.ports.notifier,
        # Billing and points are built later: asked when a profile is shown.
        standing=lambda: ctx.services.providing(Standing),  # type: ignore[type-abstract]
        levels=lambda: ctx.services.providing(Levels),  # type: ignore[type-abstract]
    )

    async def joined(event: MemberJoined) -> None:
        onboarding.invites.joined(event.guild_id, event.user_id)  # attributed in the background
        await onboarding.member_joined(event.guild_id, event.user_id)

    async def left(event: MemberLeft) -> None:
        await onboarding.member_left(event.guild_id, event.user_id)

    ctx.bus.subscribe(MemberJoined, joined)
    ctx.bus.subscribe(MemberLeft, left)
    return onboarding


# The rules gate, the welcome once a member is really in, interests (issue 12). Its
# settings live in its own tables, set with /setup onboarding (docs/onboarding.md).
ONBOARDING = Feature(
    name="onboarding",
    build=_onboarding,
    extension="cogs.onboarding",
    start=lambda onboarding: onboarding.start_workers(),
    stop=lambda onboarding: onboarding.stop_workers(),
    catch_up=lambda onboarding: onboarding.invites.refresh_all(),
    privacy=Privacy(
        onboarding_privacy.TABLES,
        onboarding_privacy.export_member,
        onboarding_privacy.forget_member,
        onboarding_privacy.KEPT,
    ),
)


def _stripe_api(ctx: Context) -> StripeApi:
    from bot.stripe_api import StripeHttpApi

    return StripeHttpApi(ctx.settings.stripe)


def _billing(ctx: Context) -> BillingService:
    from bot.services.billing import BillingService, StripeApi
    from bot.services.roles import RoleService

    billing = BillingService(
        ctx.settings,
        ctx.db,
        ctx.clock,
        ctx.scheduler,
        ctx.provided_or(StripeApi, lambda: _stripe_api(ctx)),  # type: ignore[type-abstract]
        roles=ctx.ports.roles,
        role_service=ctx.services.get(RoleService),
    )

    async def roles_back(event: MemberJoined) -> None:
        await billing.member_joined(event.guild_id, event.user_id)

    ctx.bus.subscribe(MemberJoined, roles_back)
    return billing


def _billing_routes(billing: BillingService) -> list[web.RouteDef]:
    from bot.stripe_webhook import webhook_route

    return [webhook_route(billing.receiver)]


BILLING = Feature(
    name="billing",
    build=_billing,
    extension="cogs.billing",
    routes=_billing_routes,
    commands="bot.billing_cli",
    start=_start,
    stop=_stop,
    catch_up=lambda billing: billing.wake_waiting_members(),
    privacy=Privacy(
        billing_privacy.TABLES,
        billing_privacy.export_member,
        billing_privacy.forget_member,
        billing_privacy.KEPT,
    ),
)


def _qa(ctx: Context) -> QaService:
    from bot.services.qa.service import QaService

    qa = QaService(
        ctx.settings, ctx.db, ctx.clock, ctx.interaction_log, ctx.bus, scheduler=ctx.scheduler
    )

    async def left(event: MemberLeft) -> None:
        await qa.member_left(event.guild_id, event.user_id)

    ctx.bus.subscribe(MemberLeft, left)
    return qa


# Q&A threads (issue 14): /ask with quality gates and duplicates first, answers, "Mark as
# answer", closes with outcomes, nudges on timers. Its settings: [guilds.qa] (docs/qa.md).
QA = Feature(
    name="qa",
    build=_qa,
    extension="cogs.qa",
    start=_start,
    stop=_stop,
    privacy=Privacy(
        qa_privacy.TABLES, qa_privacy.export_member, qa_privacy.forget_member, qa_privacy.KEPT
    ),
    guild_settings=QA_SETTINGS,
)


def _points(ctx: Context) -> PointsService:
    from bot.services.points import PointsService
    from bot.services.roles import RoleService

    points = PointsService(ctx.settings, ctx.db, ctx.clock, ctx.services.get(RoleService))
    points.subscribe(ctx.bus)  # Q&A's answers, onboarding, drop opens
    return points


def _points_table(read: TableReader, table: Mapping[str, Any], where: str) -> PointsConfig:
    from bot.services.points.config import parse_points

    return parse_points(read, table, where)


def _points_default() -> PointsConfig:
    from bot.services.points.config import PointsConfig

    return PointsConfig()


# Points for help, levels and their roles, boards, re-scores (issue 15; docs/points.md).
# It answers the Levels port; rules and levels come from [guilds.points].
POINTS = Feature(
    name="points",
    build=_points,
    extension="cogs.points",
    privacy=Privacy(
        points_privacy.TABLES,
        points_privacy.export_member,
        points_privacy.forget_member,
        points_privacy.KEPT,
    ),
    guild_settings=GuildSection("points", _points_table, _points_default),
)


def _stats(ctx: Context) -> StatsService:
    from bot.services.stats import StatsService

    return StatsService(
        ctx.db, ctx.clock, ctx.settings, publisher=ctx.ports.publisher, scheduler=ctx.scheduler
    )


STATS = Feature(
    name="stats",
    build=_stats,
    extension="cogs.stats",
    commands="bot.stats_cli",
    start=_start,
    stop=_stop,
    catch_up=lambda stats: stats.catch_up(),
    privacy=Privacy(
        stats_privacy.TABLES,
        stats_privacy.export_member,
        stats_privacy.forget_member,
        stats_privacy.KEPT,
    ),
)


def _drops(ctx: Context) -> DropService:
    from bot.core.ports import Levels, Standing
    from bot.services.drops import DropService

    drops = DropService(
        ctx.settings,
        ctx.db,
        ctx.clock,
        ctx.interaction_log,
        ctx.bus,
        ctx.ports.publisher,
        ctx.ports.notifier,
        scheduler=ctx.scheduler,
        standing=ctx.services.providing(Standing),  # type: ignore[type-abstract]  # billing
        levels=ctx.services.providing(Levels),  # type: ignore[type-abstract]  # points
        direct_messages=ctx.services.providing(DirectMessages),  # type: ignore[type-abstract]
    )

    async def joined(event: MemberJoined) -> None:
        await drops.engagement.member_joined(event.guild_id, event.user_id, event.at)

    async def paid(event: PaidAccessChanged) -> None:
        if event.active:
            await drops.engagement.paid_started(event.guild_id, event.user_id, event.at)

    ctx.bus.subscribe(MemberJoined, joined)
    ctx.bus.subscribe(PaidAccessChanged, paid)
    return drops


def _drops_section() -> GuildSection[Any]:
    from bot.services.drops.settings import DROPS_SECTION

    return DROPS_SECTION


# The library, scheduled drops (exactly once), drip, likes and comments (issue 13;
# docs/drops.md). After billing and points: it asks them through the Standing and Levels ports.
DROPS = Feature(
    name="drops",
    build=_drops,
    extension="cogs.drops",
    start=_start,
    stop=_stop,
    catch_up=lambda drops: drops.catch_up(),
    privacy=Privacy(
        drops_privacy.TABLES,
        drops_privacy.export_member,
        drops_privacy.forget_member,
        drops_privacy.KEPT,
    ),
    guild_settings=_drops_section(),
)


def _nothing(ctx: Context) -> None:
    return None


def _audit(ctx: Context) -> AuditService:
    from bot.services.audit import AuditService

    return AuditService(ctx.settings, ctx.db, ctx.clock, ctx.scheduler, ctx.ports.publisher)


# The audit trail every feature writes to: /audit, and each entry in the moderators' log.
AUDIT = Feature(
    name="audit",
    build=_audit,
    extension="cogs.audit",
    start=_start,
    stop=_stop,
    privacy=Privacy(
        audit_privacy.TABLES,
        audit_privacy.export_member,
        audit_privacy.forget_member,
        audit_privacy.KEPT,
    ),
)


def _feedback(ctx: Context) -> FeedbackService:
    from bot.services.feedback import FeedbackService

    return FeedbackService(ctx.settings, ctx.db, ctx.clock, ctx.scheduler, ctx.ports.publisher)


FEEDBACK = Feature(
    name="feedback",
    build=_feedback,
    extension="cogs.feedback",
    start=_start,
    stop=_stop,
    privacy=Privacy(
        feedback_privacy.TABLES,
        feedback_privacy.export_member,
        feedback_privacy.forget_member,
        feedback_privacy.KEPT,
    ),
)

HELP = Feature(name="help", build=_nothing, extension="cogs.help")


def _privacy(ctx: Context) -> PrivacyService:
    from bot.core.ports import LogRetention
    from bot.services.privacy import FeatureHooks, PrivacyRetention, PrivacyService

    hooks = [
        FeatureHooks(f.name, f.privacy.tables, f.privacy.export_member, f.privacy.forget_member,
                     f.privacy.kept)
        for f in FEATURES
        if f.privacy is not None
    ]  # fmt: skip
    privacy = PrivacyService(ctx.db, ctx.clock, ctx.settings, ctx.interaction_log, hooks)
    privacy.standing = ctx.services.providing(Standing)  # type: ignore[type-abstract]
    privacy.retention = PrivacyRetention(
        ctx.db, ctx.clock, ctx.settings, privacy,
        ctx.services.providing(LogRetention),  # type: ignore[type-abstract]
        ctx.scheduler,
    )  # fmt: skip
    return privacy


# `/privacy`: export, deletion with pseudonyms, opt-outs, retention (docs/privacy.md). It
# gathers every feature's hooks above, and comes after stats, whose rollups retention keeps.
PRIVACY = Feature(
    name="privacy",
    build=_privacy,
    extension="cogs.privacy",
    start=_start,
    stop=_stop,
    guild_settings=PRIVACY_SECTION,
)

FEATURES: tuple[Feature[Any], ...] = (
    ACTIVITY,
    AUDIT,
    ROLES,
    ONBOARDING,
    BILLING,
    POINTS,
    QA,
    DROPS,
    STATS,
    FEEDBACK,
    PRIVACY,
    HELP,
)


def extensions(features: Sequence[Feature[Any]] = FEATURES) -> tuple[str, ...]:
    """The discord.py extensions of these features, in order."""
    return tuple(f.extension for f in features if f.extension)


def guild_sections(features: Sequence[Feature[Any]] = FEATURES) -> tuple[GuildSection[Any], ...]:
    """The features' own `[guilds.<name>]` tables, for the settings loader."""
    return tuple(f.guild_settings for f in features if f.guild_settings is not None)
