"""What the onboarding service answers with: plain values the cogs render."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

# Discord's guild member flags (developers/resources/guild#guild-member-object-guild-member-flags).
DID_REJOIN = 1 << 0
COMPLETED_ONBOARDING = 1 << 1
STARTED_ONBOARDING = 1 << 3

MAX_TOPICS = 25  # a select menu offers at most 25 options
TOPIC_KEY_MAX = 32
TOPIC_LABEL_MAX = 100
WELCOME_TEXT_MAX = 100  # string options stay within 100 (tests/e2e/test_replies.py)
CAMPAIGN_MAX = 50
INVITE_CODE_MAX = 32


@dataclass(frozen=True)
class Presence:
    """What Discord says of a member now: rules screening pending, and member flags."""

    pending: bool = False
    flags: int = 0

    @property
    def rejoined(self) -> bool:
        """Discord says the member was in this guild before (perhaps before Lyceum was)."""
        return bool(self.flags & DID_REJOIN)

    @property
    def screening_done(self) -> bool:
        """True when neither native rules screening nor native onboarding holds them back."""
        started = bool(self.flags & STARTED_ONBOARDING)
        completed = bool(self.flags & COMPLETED_ONBOARDING)
        return not self.pending and (completed or not started)


class MemberLookup(Protocol):
    """Reads a member's presence from Discord's view of the guild."""

    def presence(self, guild_id: int, user_id: int) -> Presence | None:
        """The member's presence, or None when the bot does not see them."""
        ...


class NoLookup:
    """A lookup that sees nobody (before the bot is attached)."""

    def presence(self, guild_id: int, user_id: int) -> Presence | None:
        """Nobody is seen."""
        return None


@dataclass(frozen=True)
class TopicView:
    """One interest a member can pick."""

    key: str
    label: str
    emoji: str
    role_id: int


@dataclass(frozen=True)
class OnboardingView:
    """A guild's onboarding as moderators set it."""

    gate_enabled: bool
    member_role_id: int
    welcome_channel_id: int
    welcome_text: str
    gate_message_id: int
    topics: tuple[TopicView, ...]
    welcome_dm: bool = False
    campaigns: tuple[tuple[str, str], ...] = ()  # (invite code, campaign name)


@dataclass(frozen=True)
class StartView:
    """What `/start` shows a member: the steps still open."""

    guild_id: int
    needs_agreement: bool
    topics: tuple[TopicView, ...]
    chosen: tuple[str, ...]


@dataclass(frozen=True)
class ProfileView:
    """A member's own status."""

    first_seen_at: datetime | None
    onboarded_at: datetime | None
    rejoins: int
    interests: tuple[str, ...]
    tiers: tuple[str, ...] | None = None  # paid tiers held now; None: no billing feature
    level: int | None = None  # None when the points feature is absent
    points: int | None = None  # likewise
    dms_off: bool = False


@dataclass(frozen=True)
class AgreeResult:
    """What clicking "I agree" did."""

    newly_member: bool
    topics: tuple[TopicView, ...]
    chosen: tuple[str, ...]


@dataclass(frozen=True)
class Arrival:
    """A member who became a member in a committed transaction: what follows the commit."""

    guild_id: int
    user_id: int
    welcome_channel_id: int
    welcome_text: str
    returning: bool
    dm: bool  # send the welcome DM (the guild enables it; first time; not opted out)
