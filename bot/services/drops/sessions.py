"""Live sessions: a drop of an `event` item is a Discord scheduled event in a voice channel.

Confirming the drop creates the event (so members can mark interest); 15 minutes before
(`reminder_minutes`) those interested get a reminder; from its start for `session_minutes` (60),
members in the event's voice channel count as attendance (`event_attend`, once per member
and session, with the content id).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.core.kinds import Kind
from bot.core.ports import PortError
from bot.core.text import t
from bot.services.drops.core import Core
from storage.drops import queries
from storage.drops.models import ContentItem, Drop

log = logging.getLogger(__name__)

LONGEST_SESSION = timedelta(days=1)  # how far back a restart looks for running sessions


@dataclass(frozen=True)
class Session:
    """A live session being held or to come, as attendance needs it."""

    drop_id: int
    guild_id: int
    content_id: int
    channel_id: int
    start: datetime
    length: timedelta

    def live(self, now: datetime) -> bool:
        """True while the session runs."""
        return self.start <= now < self.start + self.length


class LiveSessions:
    """Scheduled events, reminders and attendance."""

    def __init__(self, core: Core) -> None:
        self.core = core
        self._by_channel: dict[int, list[Session]] = {}

    async def create_event(self, drop: Drop, item: ContentItem) -> int:
        """The Discord scheduled event of a confirmed event drop (0 when Discord refused)."""
        try:
            event_id = await self.core.channel.create_event(
                drop.guild_id,
                drop.channel_id,
                item.title,
                item.summary,
                drop.scheduled_at,
                drop.scheduled_at + self.length(drop.guild_id),
                drop.location,
            )
        except PortError as error:
            await self.core.tell_moderators(
                drop.guild_id,
                t("The scheduled event for drop #{id} could not be created: {error}",
                  id=drop.id, error=str(error)[:200]),
            )  # fmt: skip
            return 0
        self.watch(drop)
        return event_id

    def length(self, guild_id: int) -> timedelta:
        """How long a live session lasts in the guild (`session_minutes`)."""
        return timedelta(minutes=self.core.guild_settings(guild_id).session_minutes)

    def watch(self, drop: Drop) -> None:
        """Count attendance in the drop's channel while it runs (not at an external place)."""
        if drop.location:
            return
        session = Session(
            drop.id or 0,
            drop.guild_id,
            drop.content_id,
            drop.channel_id,
            drop.scheduled_at,
            self.length(drop.guild_id),
        )
        sessions = self._by_channel.setdefault(drop.channel_id, [])
        if all(s.drop_id != session.drop_id for s in sessions):
            sessions.append(session)

    async def load(self) -> None:
        """Sessions still running or to come (after a restart)."""
        now = self.core.clock.now()
        async with self.core.db.read() as session:
            for drop in await queries.event_drops(session, now - LONGEST_SESSION):
                if drop.scheduled_at + self.length(drop.guild_id) > now:
                    self.watch(drop)

    async def started(self, drop: Drop) -> None:
        """The session's start: everyone already in the channel attends."""
        self.watch(drop)
        if drop.location:
            return
        members = await self.core.channel.voice_members(drop.guild_id, drop.channel_id)
        for user_id in members:
            self._attend(drop.guild_id, user_id, drop.id or 0, drop.content_id, drop.channel_id)

    def voice_joined(self, guild_id: int, user_id: int, channel_id: int) -> bool:
        """A member joined a voice channel: attendance when a session runs there."""
        now = self.core.clock.now()
        for session in self._by_channel.get(channel_id, ()):
            if session.guild_id == guild_id and session.live(now):
                return self._attend(
                    guild_id, user_id, session.drop_id, session.content_id, channel_id
                )
        return False

    def _attend(
        self, guild_id: int, user_id: int, drop_id: int, content_id: int, channel_id: int
    ) -> bool:
        return self.core.interaction_log.record(
            guild_id, user_id, Kind.EVENT_ATTEND, self.core.clock.now(), channel_id=channel_id,
            ref=str(content_id), source_key=f"event_attend:{drop_id}:{user_id}",
        )  # fmt: skip

    async def remind_due(self) -> list[int]:
        """Remind those interested in sessions starting within `reminder_minutes`; once."""
        now = self.core.clock.now()
        async with self.core.db.transaction() as session:
            due = []
            for drop in await queries.unreminded_events(session, now):
                lead = timedelta(minutes=self.core.guild_settings(drop.guild_id).reminder_minutes)
                if drop.scheduled_at - lead <= now:
                    drop.reminded_at = now
                    await queries.save_drop(session, drop)
                    due.append(drop)
            items = await queries.items_by_id(session, {d.content_id for d in due})
        reminded: list[int] = []
        for drop in due:
            try:
                users = await self.core.channel.event_interested(drop.guild_id, drop.event_id or 0)
            except PortError as error:
                log.warning("no interested list for event %s: %s", drop.event_id, error)
                continue
            title = items[drop.content_id].title if drop.content_id in items else ""
            when = f"<t:{int(drop.scheduled_at.timestamp())}:R>"
            if drop.location:
                text = t("“{title}” starts {when} at {place}.", title=title, when=when,
                         place=drop.location)  # fmt: skip
            else:
                text = t("“{title}” starts {when} in <#{channel}>.", title=title, when=when,
                         channel=drop.channel_id)  # fmt: skip
            for user_id in users:
                # Functional and asked for: the member clicked "Interested" on this event.
                if await self.core.tell_member(drop.guild_id, user_id, text):
                    reminded.append(user_id)
        return reminded
