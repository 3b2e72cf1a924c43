"""Scheduling drops: preview (nothing stored), confirm, list, cancel, post now."""

from __future__ import annotations

from datetime import datetime

from bot.core.access import Caller
from bot.core.errors import InvalidInput
from bot.core.text import t
from bot.services.drops.core import Core, DropNotFound
from bot.services.drops.posting import Poster, new_nonce
from bot.services.drops.repeat import parse_repeat
from bot.services.drops.sessions import LiveSessions
from bot.services.drops.views import DropPreview, DropView
from bot.services.drops.when import parse_when
from storage.database import Session
from storage.drops import queries
from storage.drops.models import ContentItem, Drop

MAX_LOCATION = 100  # Discord's limit on entity_metadata.location


class Scheduler:
    """What moderators do with drops."""

    def __init__(self, core: Core, poster: Poster) -> None:
        self.core = core
        self.poster = poster
        self.sessions: LiveSessions | None = None

    async def preview(
        self, guild_id: int, caller: Caller, content_id: int, when: str, channel_id: int,
        repeat: str | None = None, *, voice_channel: bool = False, location: str | None = None,
    ) -> DropPreview:  # fmt: skip
        """Resolve the time and the rule; store nothing (the moderator confirms first).

        A live session takes place in a voice/stage channel, or at `location` (a place
        outside Discord; its channel is then a text channel, and nobody is counted)."""
        self.core.require_moderator(guild_id, caller)
        rule = parse_repeat(repeat)
        async with self.core.db.read() as session:
            item = await self.core.item_row(session, guild_id, content_id)
        _publishable(item)
        location = (location or "").strip() or None
        if location is not None and (item.kind != "event" or voice_channel):
            raise InvalidInput(
                t("A place is only for a live session, with a text channel (not a voice one).")
            )
        if location is not None and len(location) > MAX_LOCATION:
            raise InvalidInput(t("The place can be at most {n} characters.", n=MAX_LOCATION))
        if location is None and (item.kind == "event") != voice_channel:
            raise InvalidInput(
                t("A live session takes place in a voice channel; a post goes in a text channel.")
            )
        timezone = self.core.timezone(guild_id)
        choice = parse_when(when, timezone, self.core.clock.now())
        return DropPreview(
            content_id,
            item.title,
            channel_id,
            choice.instants,
            rule,
            timezone,
            choice.text,
            location,
        )

    async def confirm(
        self, guild_id: int, caller: Caller, preview: DropPreview, instant: datetime
    ) -> DropView:
        """Store the drop the moderator confirmed; the timer picks it up."""
        self.core.require_moderator(guild_id, caller)
        if instant not in preview.instants:
            raise InvalidInput(t("That is not one of the times offered."))
        now = self.core.clock.now()
        if instant <= now:
            raise InvalidInput(t("That time has passed meanwhile; schedule it again."))
        async with self.core.db.transaction() as session:
            item = await self.core.item_row(session, guild_id, preview.content_id)
            _publishable(item)
            row = Drop(
                guild_id=guild_id, content_id=preview.content_id, channel_id=preview.channel_id,
                scheduled_at=instant, due_at=instant, repeat=preview.repeat,
                timezone=preview.timezone, nonce=new_nonce(), created_by=caller.user_id,
                created_at=now, location=preview.location,
            )  # fmt: skip
            await queries.save_drop(session, row)
        if item.kind == "event" and self.sessions is not None:
            row.event_id = await self.sessions.create_event(row, item) or None
            async with self.core.db.transaction() as session:
                await queries.save_drop(session, row)
        self.poster.wake()
        return drop_view(row, item.title)

    async def list(self, guild_id: int, caller: Caller) -> list[DropView]:
        """Drops still to post, soonest first."""
        self.core.require_moderator(guild_id, caller)
        async with self.core.db.read() as session:
            rows = await queries.upcoming(session, guild_id)
            items = await queries.items_by_id(session, {r.content_id for r in rows})
        return [drop_view(r, items[r.content_id].title) for r in rows if r.content_id in items]

    async def cancel(self, guild_id: int, caller: Caller, drop_id: int) -> DropView:
        """Cancel a drop (and its series' next occurrences) before it posts."""
        self.core.require_moderator(guild_id, caller)
        async with self.core.db.transaction() as session:
            row = await self._drop(session, guild_id, drop_id)
            if row.status != "scheduled":
                raise InvalidInput(t("Drop #{id} is {status}: nothing to cancel.",
                                     id=drop_id, status=row.status))  # fmt: skip
            row.status = "canceled"
            await queries.save_drop(session, row)
            items = await queries.items_by_id(session, {row.content_id})
        self.poster.wake()
        return drop_view(row, items[row.content_id].title)

    async def post_now(self, guild_id: int, caller: Caller, drop_id: int) -> DropView:
        """Post a scheduled (or missed, or failed) drop now."""
        self.core.require_moderator(guild_id, caller)
        now = self.core.clock.now()
        async with self.core.db.transaction() as session:
            row = await self._drop(session, guild_id, drop_id)
            if row.status not in ("scheduled", "missed", "failed"):
                raise InvalidInput(t("Drop #{id} is {status}: it cannot be posted now.",
                                     id=drop_id, status=row.status))  # fmt: skip
            row.status, row.due_at, row.attempts = "scheduled", now, 0
            await queries.save_drop(session, row)
        await self.poster.run_due()
        async with self.core.db.read() as session:
            row = await self._drop(session, guild_id, drop_id)
            items = await queries.items_by_id(session, {row.content_id})
        return drop_view(row, items[row.content_id].title)

    async def _drop(self, session: Session, guild_id: int, drop_id: int) -> Drop:
        row = await queries.drop(session, guild_id, drop_id)
        if row is None:
            raise DropNotFound(t("There is no drop #{id} here.", id=drop_id))
        return row


def _publishable(item: ContentItem) -> None:
    if item.status != "published":
        raise InvalidInput(t("That item is not published yet (it waits for review)."))


def drop_view(row: Drop, title: str) -> DropView:
    """A stored drop as /drop list shows it."""
    return DropView(
        id=row.id or 0, content_id=row.content_id, title=title, channel_id=row.channel_id,
        scheduled_at=row.scheduled_at, repeat=row.repeat, status=row.status,
        message_id=row.message_id, attempts=row.attempts, last_error=row.last_error,
    )  # fmt: skip
