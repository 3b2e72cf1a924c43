"""Recording what members do: the interaction log and the member roster."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from bot.core.clock import Clock
from bot.core.events import EventBus, MemberJoined, MemberLeft, MemberOnboarded
from bot.core.kinds import Kind
from bot.core.ports import Roster
from bot.services.locks import KeyedLocks
from storage.activity import members
from storage.database import Database
from storage.interaction_log import InteractionLog
from storage.stats import history as imports
from storage.stats.history import HistoryRow, ImportedMember

# Where a member known only from imported history came from (`members.join_source`).
HISTORY_SOURCES = frozenset({"import", "first_message"})

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RosterChanges:
    """What catching up with a guild's member list changed."""

    found: int  # present members the bot had never seen (there before it, or joined while away)
    returned: int  # members it knew as gone who are back
    left: int  # members it knew as present who are gone

    def __add__(self, other: RosterChanges) -> RosterChanges:
        return RosterChanges(
            self.found + other.found, self.returned + other.returned, self.left + other.left
        )


class ActivityService:
    """Turns plain facts about member actions into interaction-log rows.

    Callers pass only ids and times (never message content) and skip bots.
    """

    def __init__(
        self,
        db: Database,
        log: InteractionLog,
        clock: Clock,
        roster: Roster | None = None,
        bus: EventBus | None = None,
    ) -> None:
        self._db = db
        self._roster = roster
        # One member's joins and leaves in the order Discord sent them: discord.py runs each
        # listener as its own task, and PostgreSQL would let their transactions overlap.
        self._member_locks = KeyedLocks()
        self._bus = bus or EventBus()
        self._log = log
        self._clock = clock

    def message_sent(
        self,
        guild_id: int,
        user_id: int,
        channel_id: int,
        message_id: int,
        at: datetime,
        *,
        is_reply: bool,
    ) -> None:
        """A member posted a message (or a reply) in a channel or thread."""
        self._log.record(
            guild_id,
            user_id,
            "reply" if is_reply else "message",
            at,
            channel_id=channel_id,
            source_key=f"message:{message_id}",
        )

    def reaction_added(self, guild_id: int, user_id: int, channel_id: int, message_id: int) -> None:
        """A member reacted to a message."""
        self._log.record(
            guild_id,
            user_id,
            "reaction",
            self._clock.now(),
            channel_id=channel_id,
            ref=str(message_id),
        )

    def interaction_used(
        self,
        guild_id: int,
        user_id: int,
        channel_id: int | None,
        interaction_id: int,
        kind: str,
        name: str,
        at: datetime,
    ) -> None:
        """A member ran a command, clicked a component or submitted a modal."""
        if kind not in ("command", "button", "modal"):
            raise ValueError(f"not an interaction kind: {kind!r}")
        self._log.record(
            guild_id,
            user_id,
            kind,
            at,
            channel_id=channel_id,
            ref=name,
            source_key=f"interaction:{interaction_id}",
        )

    def thread_created(
        self, guild_id: int, user_id: int, parent_id: int | None, thread_id: int, at: datetime
    ) -> None:
        """A member opened a thread or forum post."""
        self._log.record(
            guild_id,
            user_id,
            "thread_create",
            at,
            channel_id=parent_id,
            ref=str(thread_id),
            source_key=f"thread:{thread_id}",
        )

    def voice_joined(self, guild_id: int, user_id: int, channel_id: int) -> None:
        """A member joined a voice channel."""
        self._log.record(guild_id, user_id, "voice_join", self._clock.now(), channel_id=channel_id)

    async def member_joined(self, guild_id: int, user_id: int) -> None:
        """A member joined (or rejoined) the guild; `MemberJoined` goes out after commit."""
        async with self._member_locks.hold((guild_id, user_id)):
            at = self._clock.now()
            if self._log.accepts(guild_id, user_id):  # not for members who opted out
                await self._db.write_together(
                    lambda session: members.record_join(session, guild_id, user_id, at)
                )
                self._log.record(guild_id, user_id, Kind.JOIN, at)
            await self._bus.publish(MemberJoined(guild_id, at, user_id=user_id))

    async def member_onboarded(self, event: MemberOnboarded) -> None:
        """Onboarding says the member is in: the stats' funnel reads the first time."""
        if not self._log.accepts(event.guild_id, event.user_id):
            return
        await self._db.write_together(
            lambda session: members.record_onboarded(
                session, event.guild_id, event.user_id, event.at
            )
        )

    async def member_left(self, guild_id: int, user_id: int) -> None:
        """A member left, or was removed from, the guild."""
        async with self._member_locks.hold((guild_id, user_id)):
            at = self._clock.now()
            if self._log.accepts(guild_id, user_id):
                await self._db.write_together(
                    lambda session: members.record_leave(session, guild_id, user_id, at)
                )
                self._log.record(guild_id, user_id, Kind.LEAVE, at)
            await self._bus.publish(MemberLeft(guild_id, at, user_id=user_id))

    async def catch_up(self) -> RosterChanges:
        """Compare every guild's member list with what we hold (joins and leaves missed)."""
        total = RosterChanges(0, 0, 0)
        for guild_id in self._roster.guild_ids() if self._roster is not None else []:
            total = total + await self.catch_up_guild(guild_id)
        return total

    async def catch_up_guild(self, guild_id: int) -> RosterChanges:
        """Catch up with one guild's member list (skipped when Discord's list is partial)."""
        present = await self._roster.present_members(guild_id) if self._roster else None
        if present is None:
            log.warning("guild %s: member list incomplete; roster not caught up", guild_id)
            return RosterChanges(0, 0, 0)
        changes = await self.roster_seen(guild_id, present)
        if changes.found or changes.returned or changes.left:
            log.info(
                "guild %s roster: %d members found, %d back, %d gone while away",
                guild_id, changes.found, changes.returned, changes.left,
            )  # fmt: skip
        return changes

    async def roster_seen(
        self, guild_id: int, present: Mapping[int, datetime | None]
    ) -> RosterChanges:
        """Catch up with the guild's full member list (user id → Discord's `joined_at`):
        joins and leaves the bot missed while it was away, and the members who were there
        before it, join at the time Discord gives; a member gone from the list left now."""
        now = self._clock.now()
        present = {u: at for u, at in present.items() if self._log.accepts(guild_id, u)}
        rows: list[HistoryRow] = []
        found: dict[int, ImportedMember] = {}
        returned = left = 0
        async with self._db.transaction() as session:
            known = await members.roster(session, guild_id)
            for user_id, joined in present.items():
                entry = known.get(user_id)
                at = min(joined or now, now)
                if entry is None:
                    found[user_id] = ImportedMember(at, at)
                elif not entry.in_guild:
                    if entry.left_at is not None and at < entry.left_at:
                        at = now  # Discord's time is older than the leave we saw
                    await members.record_join(session, guild_id, user_id, at, source="roster")
                    returned += 1
                else:
                    continue
                rows.append(_roster_row(guild_id, user_id, "join", at))
            gone = [u for u, entry in known.items() if entry.in_guild and u not in present]
            # Members known only from imported history left at an unknown time: their
            # last sign is the honest guess (now would put years of leaves in this week).
            historic = [u for u in gone if known[u].join_source in HISTORY_SOURCES]
            seen = await members.last_seen(session, guild_id, historic) if historic else {}
            for user_id in gone:
                at = max(seen.get(user_id, now), known[user_id].joined_at)
                await members.record_leave(session, guild_id, user_id, at)
                rows.append(_roster_row(guild_id, user_id, "leave", at))
                left += 1
            await imports.upsert_members(session, guild_id, found, source="roster")
            await imports.insert_interactions(session, rows)
        return RosterChanges(len(found), returned, left)


def _roster_row(guild_id: int, user_id: int, kind: str, at: datetime) -> HistoryRow:
    # Keyed by member and time, so seeing the same roster twice logs nothing twice.
    key = f"roster:{guild_id}:{user_id}:{kind}:{at.isoformat()}"
    return HistoryRow(guild_id, user_id, kind, None, None, at, None, key)
