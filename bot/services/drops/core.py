"""What every part of the drops feature shares: storage, ports, the clock, the rules of access."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.core.access import MODERATORS, AccessPolicy, Caller
from bot.core.clock import Clock
from bot.core.errors import NotAllowed, NotFound
from bot.core.events import EventBus
from bot.core.ports import (
    DirectMessages,
    Levels,
    Notifier,
    OutgoingMessage,
    PortError,
    Publisher,
    Standing,
)
from bot.core.text import t
from bot.services.drops.settings import DROPS_SECTION, DropsSettings
from bot.services.drops.views import DropChannel, ItemView, NotConnected
from bot.settings import Settings
from storage.database import Database, Session
from storage.drops import queries
from storage.drops.models import ContentItem
from storage.interaction_log import InteractionLog

log = logging.getLogger(__name__)
FEATURE = "drops"


class ContentNotFound(NotFound):
    """No such item in this server's library."""


class DropNotFound(NotFound):
    """No such drop in this server."""


@dataclass
class Core:
    """The drops feature's collaborators (one per process)."""

    settings: Settings
    db: Database
    clock: Clock
    interaction_log: InteractionLog
    bus: EventBus
    publisher: Publisher
    notifier: Notifier
    standing: Standing | None = None
    levels: Levels | None = None
    direct_messages: DirectMessages | None = None
    channel: DropChannel = field(default_factory=NotConnected)

    def __post_init__(self) -> None:
        self.policy = AccessPolicy(self.settings.guild)

    def guild_settings(self, guild_id: int) -> DropsSettings:
        """The guild's `[guilds.drops]` table (defaults when absent)."""
        guild = self.settings.guild(guild_id)
        return guild.section(DROPS_SECTION) if guild else DropsSettings()

    def timezone(self, guild_id: int) -> str:
        """The guild's timezone name."""
        guild = self.settings.guild(guild_id)
        return guild.timezone if guild else "UTC"

    def require_moderator(self, guild_id: int, caller: Caller) -> None:
        """NotAllowed unless the caller is a moderator here."""
        self.policy.require(MODERATORS, guild_id, caller)

    def is_moderator(self, guild_id: int, caller: Caller) -> bool:
        """True when the caller passes the moderators' gate."""
        return self.policy.allows(MODERATORS, guild_id, caller)

    def require_author(self, guild_id: int, caller: Caller) -> None:
        """NotAllowed unless the caller holds the author role (or is a moderator)."""
        role = self.guild_settings(guild_id).author_role_id
        if self.is_moderator(guild_id, caller) or (role and role in caller.role_ids):
            return
        raise NotAllowed(t("Only members with the author role can submit content."))

    async def item_row(self, session: Session, guild_id: int, content_id: int) -> ContentItem:
        """A live item of the guild, or ContentNotFound."""
        row = await queries.item(session, guild_id, content_id)
        if row is None:
            raise ContentNotFound(t("There is no item {id} in this library.", id=content_id))
        return row

    async def tell_moderators(self, guild_id: int, text: str) -> None:
        """A line in the moderators' log channel (never raises)."""
        guild = self.settings.guild(guild_id)
        if guild is None or not guild.mod_log_channel_id:
            log.warning("drops (guild %s): %s", guild_id, text)
            return
        try:
            await self.publisher.post(guild.mod_log_channel_id, OutgoingMessage(content=text))
        except PortError as error:
            log.warning("drops could not tell the moderators of guild %s: %s", guild_id, error)

    async def tell_member(self, guild_id: int, user_id: int, text: str) -> bool:
        """A direct message (functional, never to create activity); False when refused or
        when the member turned DMs from the bot off (`/profile dms off`)."""
        if self.direct_messages and not await self.direct_messages.may_dm(guild_id, user_id):
            return False
        try:
            await self.notifier.dm(user_id, OutgoingMessage(content=text))
        except PortError as error:
            log.info("drops could not DM %s: %s", user_id, error)
            return False
        return True


def item_view(row: ContentItem) -> ItemView:
    """A stored item as the views show it."""
    return ItemView(
        id=row.id or 0,
        title=row.title,
        summary=row.summary,
        access=row.access,
        tier_key=row.tier_key,
        level=row.level,
        tags=tuple(row.tags),
        kind=row.kind,
        status=row.status,
        created_by=row.created_by,
        link=row.link,
        drip_days=row.drip_days,
        unlock_at=row.unlock_at,
        review_reason=row.review_reason,
    )


def drip_unlocks_at(
    row: ContentItem, joined_at: datetime | None, paid_since: datetime | None
) -> datetime | None:
    """When the item unlocks for a member: its date when set (the date wins), else N days
    after their join (or paid start); None when it never unlocks for them (yet)."""
    if row.unlock_at is not None:
        return row.unlock_at
    if row.drip_days is None:
        return None
    start = paid_since if row.drip_from == "paid" else joined_at
    return start + timedelta(days=row.drip_days) if start is not None else None


def is_timed(row: ContentItem) -> bool:
    """True when the item is held back until a date or a drip."""
    return row.unlock_at is not None or row.drip_days is not None
