"""`OnboardingService`: the rules gate, the welcome once a member is really in, interests.

Onboarding acts once a moderator set it up (`/setup onboarding` saves the guild's row;
the member role and welcome channel default to the guild's config). A member "becomes a
member" once per stay: when Discord's own screening and onboarding
no longer hold them back and, where the guild uses Lyceum's gate, they have agreed to
the rules (an agreement is kept across leaves). Then the member role is queued through
the shared role service, `onboarded` is logged, `MemberOnboarded` is published and the
welcome (or "welcome back") is posted in the welcome channel.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from bot.core.access import MODERATORS, AccessPolicy, Caller
from bot.core.clock import Clock
from bot.core.errors import InvalidInput, NotAllowed
from bot.core.events import EventBus, MemberOnboarded
from bot.core.ids import custom_id
from bot.core.kinds import Kind
from bot.core.ports import (
    Button,
    Levels,
    Notifier,
    OutgoingMessage,
    PortError,
    Publisher,
    Standing,
)
from bot.core.text import t
from bot.services.onboarding.dms import send_welcome_dm, welcome_post
from bot.services.onboarding.invites import InviteTracker
from bot.services.onboarding.views import (
    AgreeResult,
    Arrival,
    MemberLookup,
    NoLookup,
    OnboardingView,
    Presence,
    ProfileView,
    StartView,
    TopicView,
)
from bot.services.roles import RoleService
from bot.settings import Settings
from storage.database import Database, Session
from storage.interaction_log import InteractionLog
from storage.onboarding import queries
from storage.onboarding.models import OnboardingMember, OnboardingSettings

log = logging.getLogger(__name__)
FEATURE = "onboarding"
WELCOME_GRACE_S = 5.0
_Keys = tuple[str, ...]


class OnboardingService:
    """Gate, welcome and interests, for every guild."""

    def __init__(
        self,
        settings: Settings,
        db: Database,
        clock: Clock,
        interaction_log: InteractionLog,
        bus: EventBus,
        publisher: Publisher,
        role_service: RoleService,
        *,
        notifier: Notifier | None = None,
        standing: Callable[[], Standing | None] = lambda: None,
        levels: Callable[[], Levels | None] = lambda: None,
    ) -> None:
        self._settings = settings
        self._db = self.db = db
        self._clock = self.clock = clock
        self._log = interaction_log
        self._bus = bus
        self._publisher = publisher
        self._roles = role_service
        self.policy = AccessPolicy(settings.guild)
        self._notifier = notifier
        self._standing = standing
        self._levels = levels
        self.lookup: MemberLookup = NoLookup()
        self.invites = InviteTracker(db)
        self._welcomes: set[asyncio.Task[None]] = set()

    # -- settings ----------------------------------------------------------------------

    async def settings_row(self, session: Session, guild_id: int) -> OnboardingSettings:
        """The guild's saved settings, else defaults from its config (not yet stored)."""
        row = await queries.settings(session, guild_id)
        if row is not None:
            return row
        guild = self._settings.guild(guild_id)
        return OnboardingSettings(
            guild_id=guild_id,
            member_role_id=guild.member_role_id if guild else 0,
            welcome_channel_id=guild.welcome_channel_id if guild else 0,
            updated_at=self._clock.now(),
        )

    async def view(self, guild_id: int) -> OnboardingView:
        """The guild's onboarding settings and topics."""
        async with self._db.read() as session:
            row = await self.settings_row(session, guild_id)
            topics = await self._topics(session, guild_id)
            campaigns = await queries.campaigns(session, guild_id)
        return OnboardingView(
            row.gate_enabled,
            row.member_role_id,
            row.welcome_channel_id,
            row.welcome_text,
            row.gate_message_id,
            topics,
            welcome_dm=row.welcome_dm,
            campaigns=tuple((c.code, c.campaign) for c in campaigns),
        )

    async def _topics(self, session: Session, guild_id: int) -> tuple[TopicView, ...]:
        rows = await queries.topics(session, guild_id)
        return tuple(TopicView(r.key, r.label, r.emoji, r.role_id) for r in rows)

    def require_moderator(self, guild_id: int, caller: Caller) -> None:
        """Raise NotAllowed unless the caller is a moderator here."""
        self.policy.require(MODERATORS, guild_id, caller)

    # -- members ---------------------------------------------------------------------

    async def member_joined(self, guild_id: int, user_id: int) -> None:
        """A member joined or came back: their interest roles return; maybe they are in."""
        now = self._clock.now()
        presence = self.lookup.presence(guild_id, user_id) or Presence()

        async def write(session: Session) -> Arrival | None:
            row = await queries.member(session, guild_id, user_id)
            if row is None:
                row = await queries.member_or_new(session, guild_id, user_id, now)
                row.rejoins = int(presence.rejoined)  # back from before Lyceum knew them
            elif not row.in_guild:
                row.in_guild = True
                row.rejoins += 1
                row.onboarded_at = None
                await self._give_interest_roles(session, row, reason="interests back on rejoin")
            await queries.save_member(session, row)
            return await self._settle(session, guild_id, user_id, presence=presence, row=row)

        arrival = await self._db.write_together(write)  # a transaction shared with other joins
        if not await self._after(arrival):
            self._roles.wake()  # interest roles back on a rejoin

    async def member_left(self, guild_id: int, user_id: int) -> None:
        """A member left: their next arrival is a new stay (agreement and interests kept)."""

        async def write(session: Session) -> None:
            row = await queries.member(session, guild_id, user_id)
            if row is None:
                return
            row.in_guild = False
            row.onboarded_at = None
            await queries.save_member(session, row)

        await self._db.write_together(write)

    async def member_changed(self, guild_id: int, user_id: int, presence: Presence | None) -> bool:
        """Discord's view of the member changed (screening passed, onboarding completed):
        True when this made them a member."""
        presence = presence or Presence()
        if not presence.screening_done:
            return False
        async with self._db.transaction() as session:
            arrival = await self._settle(session, guild_id, user_id)
        return await self._after(arrival)

    async def agree(self, guild_id: int, user_id: int, presence: Presence | None) -> AgreeResult:
        """The member clicked "I agree"."""
        presence = presence or Presence()
        if presence.pending:
            raise NotAllowed(t("Finish the server's rules screening first, then try again."))
        now = self._clock.now()

        async def write(session: Session) -> tuple[Arrival | None, tuple[TopicView, ...], _Keys]:
            settings = await self.settings_row(session, guild_id)
            if not settings.gate_enabled:
                raise InvalidInput(t("This server does not use Lyceum's rules gate."))
            row = await queries.member_or_new(session, guild_id, user_id, now)
            if row.agreed_at is None:
                row.agreed_at = now
                await queries.save_member(session, row)
            arrival = await self._settle(session, guild_id, user_id, presence=presence, row=row)
            return arrival, await self._topics(session, guild_id), tuple(row.interests)

        # Committed before the answer.
        arrival, topics, chosen = await self._db.write_together(write)
        newly = await self._after(arrival)
        return AgreeResult(newly, topics, chosen)

    async def _settle(
        self,
        session: Session,
        guild_id: int,
        user_id: int,
        presence: Presence | None = None,
        row: OnboardingMember | None = None,
    ) -> Arrival | None:
        """Make the member (`row`, if held) a member now if nothing holds them back."""
        if presence is not None and not presence.screening_done:
            return None
        settings = await queries.settings(session, guild_id)
        if settings is None:
            return None  # onboarding is off until a moderator runs /setup onboarding
        if row is None:
            row = await queries.member_or_new(session, guild_id, user_id, self._clock.now())
        if not row.in_guild or row.onboarded_at is not None:
            return None
        if settings.gate_enabled and row.agreed_at is None:
            return None
        now = self._clock.now()
        returning = row.first_onboarded_at is not None or (
            presence is not None and presence.rejoined
        )
        row.onboarded_at = now
        row.first_onboarded_at = row.first_onboarded_at or now
        dm = settings.welcome_dm and row.welcome_dm_at is None and not row.dms_off
        if dm:
            row.welcome_dm_at = now  # once, even when their DMs turn out to be closed
        await queries.save_member(session, row)
        if settings.member_role_id:
            await self._roles.request(
                session, guild_id, user_id, settings.member_role_id, "add", reason="onboarded"
            )
        return Arrival(
            guild_id, user_id, settings.welcome_channel_id, settings.welcome_text, returning, dm
        )

    async def _after(self, arrival: Arrival | None) -> bool:
        """After commit: wake the role worker, log, publish, welcome."""
        if arrival is None:
            return False
        self._roles.wake()
        now = self._clock.now()
        self._log.record(arrival.guild_id, arrival.user_id, Kind.ONBOARDED, now)
        # The welcome post and DM wait on Discord's per-channel rate limits: they must not
        # hold up the member's "I agree" answer (3 s) or the next join (nor the subscribers).
        task = asyncio.create_task(self._welcome(arrival), name="onboarding-welcome")
        self._welcomes.add(task)
        task.add_done_callback(self._welcomes.discard)
        await self._bus.publish(MemberOnboarded(arrival.guild_id, now, user_id=arrival.user_id))
        return True

    async def _welcome(self, arrival: Arrival) -> None:
        if arrival.welcome_channel_id:
            welcome = welcome_post(arrival.user_id, arrival.returning, arrival.welcome_text)
            await self._post(arrival.welcome_channel_id, welcome)
        if arrival.dm and self._notifier is not None:
            await send_welcome_dm(self._notifier, arrival.guild_id, arrival.user_id)

    async def start_workers(self) -> None:
        """Start the invite worker."""
        await self.invites.start()

    async def stop_workers(self) -> None:
        """Stop the invite worker; let the welcomes in flight finish (bounded)."""
        await self.invites.stop()
        await self.welcomes_done(WELCOME_GRACE_S)

    async def welcomes_done(self, grace: float | None = None) -> None:
        """Wait (at most `grace` s) until the welcomes in flight are posted."""
        if self._welcomes:
            await asyncio.wait(set(self._welcomes), timeout=grace)

    # -- direct messages ----------------------------------------------------------------

    async def may_dm(self, guild_id: int, user_id: int) -> bool:
        """False when the member turned DMs off (`/profile dms off`): every feature asks."""
        async with self._db.read() as session:
            row = await queries.member(session, guild_id, user_id)
        return row is None or not row.dms_off

    async def set_dms(self, guild_id: int, user_id: int, allowed: bool) -> bool:
        """The member turns direct messages from the bot on or off; returns `allowed`."""
        async with self._db.transaction() as session:
            row = await queries.member_or_new(session, guild_id, user_id, self._clock.now())
            row.dms_off = not allowed
            await queries.save_member(session, row)
        return allowed

    async def _post(self, channel_id: int, message: OutgoingMessage) -> int:
        try:
            return await self._publisher.post(channel_id, message)
        except PortError as error:
            log.warning("onboarding post to %s failed: %s", channel_id, error)
            return 0

    # -- interests -------------------------------------------------------------------

    async def choose_interests(
        self, guild_id: int, user_id: int, keys: list[str]
    ) -> tuple[str, ...]:
        """Set the member's interests to `keys`; roles follow through the role service."""

        async def write(session: Session) -> tuple[str, ...]:
            topics = {topic.key: topic for topic in await self._topics(session, guild_id)}
            unknown = [key for key in keys if key not in topics]
            if unknown:
                raise InvalidInput(t("That topic no longer exists; run /start to see the list."))
            row = await queries.member_or_new(session, guild_id, user_id, self._clock.now())
            before, after = set(row.interests), set(keys)
            for key in sorted(after - before):
                await self._roles.request(
                    session, guild_id, user_id, topics[key].role_id, "add", reason="interest"
                )
            for key in sorted(before - after):
                if key in topics:
                    await self._roles.request(
                        session, guild_id, user_id, topics[key].role_id, "remove",
                        reason="interest dropped",
                    )  # fmt: skip
            row.interests = sorted(after)
            if after and row.interests_at is None:
                row.interests_at = self._clock.now()  # the stats' funnel reads the first pick
            await queries.save_member(session, row)
            return tuple(row.interests)

        chosen = await self._db.write_together(write)  # committed before the answer
        self._roles.wake()
        return chosen

    async def _give_interest_roles(
        self, session: Session, row: OnboardingMember, *, reason: str
    ) -> None:
        topics = {topic.key: topic for topic in await self._topics(session, row.guild_id)}
        for key in row.interests:
            if key in topics:
                await self._roles.request(
                    session, row.guild_id, row.user_id, topics[key].role_id, "add", reason=reason
                )

    # -- the member's own view ----------------------------------------------------------

    async def start(self, guild_id: int, user_id: int) -> StartView:
        """The steps still open for the member (for `/start`)."""
        async with self._db.read() as session:
            settings = await self.settings_row(session, guild_id)
            row = await queries.member(session, guild_id, user_id)
            topics = await self._topics(session, guild_id)
        agreed = row is not None and row.agreed_at is not None
        chosen = tuple(row.interests) if row else ()
        return StartView(guild_id, settings.gate_enabled and not agreed, topics, chosen)

    async def profile(self, guild_id: int, user_id: int) -> ProfileView:
        """The member's own status: onboarding, tiers, level (never their source)."""
        async with self._db.read() as session:
            row = await queries.member(session, guild_id, user_id)
        standing, levels = self._standing(), self._levels()
        level = await levels.level_of(guild_id, user_id) if levels else None
        points = await levels.points_of(guild_id, user_id) if levels else None
        tier_names: tuple[str, ...] | None = None
        if standing is not None:
            guild = self._settings.guild(guild_id)
            names = {tier.key: tier.name for tier in guild.tiers} if guild else {}
            held = await standing.active_tier_keys(guild_id, user_id)
            tier_names = tuple(sorted(names.get(key, key) for key in held))
        if row is None:
            return ProfileView(None, None, 0, (), tier_names, level, points)
        return ProfileView(
            row.first_seen_at,
            row.onboarded_at,
            row.rejoins,
            tuple(row.interests),
            tier_names,
            level,
            points,
            dms_off=row.dms_off,
        )

    # -- the gate message --------------------------------------------------------------

    def gate_message(self, guild_id: int) -> OutgoingMessage:
        """The one public "I agree" message of a guild."""
        return OutgoingMessage(
            content=t("Welcome! Read the rules, then click the button to join the community."),
            buttons=(
                Button(
                    label=t("I agree"),
                    custom_id=custom_id(FEATURE, "agree", guild_id),
                    style="success",
                ),
            ),
        )

    async def post_gate_message(self, guild_id: int, channel_id: int) -> int:
        """Post the gate message (after commit); remember its id; 0 when posting failed."""
        message_id = await self._post(channel_id, self.gate_message(guild_id))
        if message_id:
            async with self._db.transaction() as session:
                row = await self.settings_row(session, guild_id)
                row.gate_message_id = message_id
                await queries.save_settings(session, row)
        return message_id
