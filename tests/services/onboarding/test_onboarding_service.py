"""The onboarding service against the real database, Discord as the billing tests' fake."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.core.access import Caller, Permission
from bot.core.clock import FakeClock
from bot.core.errors import InvalidInput, NotAllowed
from bot.core.events import EventBus, MemberOnboarded
from bot.core.ports import RoleFacts
from bot.services.onboarding import (
    COMPLETED_ONBOARDING,
    STARTED_ONBOARDING,
    OnboardingService,
    OnboardingSetup,
    Presence,
)
from bot.services.roles import RoleService
from bot.settings import GuildConfig, Settings
from storage.audit.models import AuditEntry
from storage.database import Database
from storage.interaction_log import InteractionLog
from storage.roles.models import RoleChange
from tests.services.billing.support import FakeDiscord

GUILD = 1001
MEMBER_ROLE = 300
WELCOME = 400
PYTHON_ROLE = 501
BOT_TOP = 50
MOD = Caller(9, permissions=Permission.MANAGE_ROLES, top_role_position=10)
STRANGER = Caller(10)


class Onboarding:
    """The service, its setup, and what it did."""

    def __init__(self, db: Database, clock: FakeClock) -> None:
        self.discord = FakeDiscord()
        self.bus = EventBus()
        self.events: list[MemberOnboarded] = []
        settings = Settings(
            guilds=(GuildConfig(GUILD, member_role_id=MEMBER_ROLE, welcome_channel_id=WELCOME),)
        )
        roles = RoleService(
            settings, db, clock, roles=self.discord, notifier=self.discord,
            publisher=self.discord,
        )  # fmt: skip
        self.service = OnboardingService(
            settings, db, clock, InteractionLog(db), self.bus, self.discord, roles
        )
        self.setup = OnboardingSetup(self.service)
        self.db = db

        async def remember(event: MemberOnboarded) -> None:
            self.events.append(event)

        self.bus.subscribe(MemberOnboarded, remember)

    async def queued(self, user_id: int) -> list[tuple[int, str]]:
        async with self.db.read() as session:
            rows = (
                await session.exec(select(RoleChange).where(RoleChange.user_id == user_id))
            ).all()
        return [(row.role_id, row.action) for row in rows]

    async def welcomes(self) -> list[str]:
        await self.service.welcomes_done()
        return [text for channel, text in self.discord.posts if channel == WELCOME and "<@" in text]


@pytest.fixture
async def onboarding(db: Database, clock: FakeClock) -> Onboarding:
    """Onboarding set up by a moderator (gate off, the config's role and channel)."""
    made = Onboarding(db, clock)
    await made.setup.configure(GUILD, MOD, bot_top_position=BOT_TOP)
    return made


async def test_nothing_happens_before_setup(db: Database, clock: FakeClock) -> None:
    fresh = Onboarding(db, clock)
    await fresh.service.member_joined(GUILD, 1)

    assert await fresh.queued(1) == [] and await fresh.welcomes() == [] and fresh.events == []


async def test_without_gate_a_join_makes_a_member_once(onboarding: Onboarding) -> None:
    await onboarding.service.member_joined(GUILD, 1)
    await onboarding.service.member_changed(GUILD, 1, Presence())

    assert await onboarding.queued(1) == [(MEMBER_ROLE, "add")]
    assert len(onboarding.events) == 1
    assert await onboarding.welcomes() == ["Welcome to the community, <@1>!"]


async def test_gate_waits_for_the_click(onboarding: Onboarding) -> None:
    await onboarding.setup.configure(GUILD, MOD, gate=True, bot_top_position=BOT_TOP)
    await onboarding.service.member_joined(GUILD, 1)
    assert await onboarding.queued(1) == [] and await onboarding.welcomes() == []

    result = await onboarding.service.agree(GUILD, 1, Presence())

    assert result.newly_member
    assert await onboarding.queued(1) == [(MEMBER_ROLE, "add")]
    assert await onboarding.welcomes() == ["Welcome to the community, <@1>!"]


async def test_native_onboarding_in_progress_holds_the_member_back(
    onboarding: Onboarding,
) -> None:
    started = Presence(flags=STARTED_ONBOARDING)
    assert not await onboarding.service.member_changed(GUILD, 1, started)
    done = Presence(flags=STARTED_ONBOARDING | COMPLETED_ONBOARDING)
    assert await onboarding.service.member_changed(GUILD, 1, done)


async def test_rejoin_brings_interests_back_and_says_welcome_back(onboarding: Onboarding) -> None:
    await onboarding.setup.set_topic(
        GUILD, MOD, "python", label="Python", role=RoleFacts(PYTHON_ROLE, 2),
        bot_top_position=BOT_TOP,
    )  # fmt: skip
    await onboarding.service.member_joined(GUILD, 1)
    await onboarding.service.choose_interests(GUILD, 1, ["python"])
    await onboarding.service.member_left(GUILD, 1)

    await onboarding.service.member_joined(GUILD, 1)

    assert (await onboarding.queued(1)).count((PYTHON_ROLE, "add")) == 2
    assert (await onboarding.queued(1)).count((MEMBER_ROLE, "add")) == 2
    assert (await onboarding.welcomes())[-1] == "Welcome back, <@1>!"
    assert (await onboarding.service.profile(GUILD, 1)).rejoins == 1


async def test_dropping_an_interest_queues_its_removal(onboarding: Onboarding) -> None:
    await onboarding.setup.set_topic(
        GUILD, MOD, "python", role=RoleFacts(PYTHON_ROLE, 2), bot_top_position=BOT_TOP
    )
    await onboarding.service.choose_interests(GUILD, 1, ["python"])

    assert await onboarding.service.choose_interests(GUILD, 1, []) == ()
    assert await onboarding.queued(1) == [(PYTHON_ROLE, "add"), (PYTHON_ROLE, "remove")]


async def test_an_unknown_topic_changes_nothing(onboarding: Onboarding) -> None:
    with pytest.raises(InvalidInput):
        await onboarding.service.choose_interests(GUILD, 1, ["nope"])
    assert await onboarding.queued(1) == []


async def test_a_stranger_cannot_configure_and_nothing_is_audited(
    db: Database, clock: FakeClock
) -> None:
    fresh = Onboarding(db, clock)
    with pytest.raises(NotAllowed):
        await fresh.setup.configure(GUILD, STRANGER, gate=True, bot_top_position=BOT_TOP)
    async with db.read() as session:
        assert (await session.exec(select(AuditEntry))).all() == []


async def test_a_member_role_with_moderator_powers_is_refused(onboarding: Onboarding) -> None:
    dangerous = RoleFacts(600, 2, permissions=Permission.KICK_MEMBERS)
    with pytest.raises(InvalidInput):
        await onboarding.setup.configure(
            GUILD, MOD, member_role=dangerous, bot_top_position=BOT_TOP
        )
    assert (await onboarding.service.view(GUILD)).member_role_id == MEMBER_ROLE


async def test_configuring_is_audited(onboarding: Onboarding, db: Database) -> None:
    await onboarding.setup.configure(GUILD, MOD, welcome_text="Hi {member}", bot_top_position=50)
    async with db.read() as session:
        actions = [row.action for row in (await session.exec(select(AuditEntry))).all()]
    assert actions == ["onboarding.set", "onboarding.set"]


async def test_the_custom_welcome_text_names_the_member(onboarding: Onboarding) -> None:
    await onboarding.setup.configure(GUILD, MOD, welcome_text="Hi {member}", bot_top_position=50)
    await onboarding.service.member_joined(GUILD, 1)

    assert await onboarding.welcomes() == ["Hi <@1>"]
