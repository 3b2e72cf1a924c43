"""A points service on the real database, its events published on a real bus."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from bot.core.access import Caller, Permission
from bot.core.clock import FakeClock
from bot.core.events import (
    AnswerAccepted,
    AnswerPosted,
    DomainEvent,
    EventBus,
    QuestionAsked,
)
from bot.services.points import PointsConfig, PointsService, Rescorer
from bot.services.points.config import POINTS_SECTION
from bot.services.points.levels import Ladder
from bot.services.roles import RoleService
from bot.settings import GuildConfig, Settings
from storage.database import Database
from storage.roles.models import RoleChange
from tests.services.billing.support import FakeDiscord

GUILD = 1001
MOD = Caller(9, permissions=Permission.MANAGE_ROLES, top_role_position=10)
STRANGER = Caller(10)
ASKER, ALICE, BOB = 21, 22, 23
HELPER_ROLE, MENTOR_ROLE = 701, 702
LADDER = Ladder.of([("Newcomer", 0, 0), ("Helper", 10, HELPER_ROLE), ("Mentor", 30, MENTOR_ROLE)])


class Points:
    """The service, a bus feeding it, and what it queued."""

    def __init__(
        self,
        db: Database,
        clock: FakeClock,
        config: PointsConfig | None = None,
        guild: int = GUILD,
    ) -> None:
        self.db, self.clock = db, clock
        self.discord = FakeDiscord()
        self.bus = EventBus()
        sections = {POINTS_SECTION.name: config or PointsConfig(ladder=LADDER)}
        settings = Settings(guilds=(GuildConfig(guild, sections=sections),))
        roles = RoleService(
            settings, db, clock, roles=self.discord, notifier=self.discord,
            publisher=self.discord,
        )  # fmt: skip
        self.service = PointsService(settings, db, clock, roles)
        self.service.subscribe(self.bus)
        self.rescorer = Rescorer(self.service)
        self._next = 5000

    def next_id(self) -> int:
        self._next += 1
        return self._next

    async def publish(self, *events: DomainEvent) -> None:
        for event in events:
            await self.bus.publish(event)

    async def ask(self, asker: int = ASKER) -> int:
        question = self.next_id()
        await self.publish(QuestionAsked(GUILD, self.clock.now(), question, asker))
        return question

    async def answer(self, question: int, answerer: int) -> int:
        message = self.next_id()
        await self.publish(AnswerPosted(GUILD, self.clock.now(), question, answerer, message))
        return message

    async def accept(self, question: int, answerer: int, asker: int = ASKER) -> int:
        message = await self.answer(question, answerer)
        await self.publish(
            AnswerAccepted(GUILD, self.clock.now(), question, asker, answerer, message)
        )
        return message

    async def total(self, user_id: int) -> int:
        return (await self.service.points(GUILD, user_id)).all_time

    def later(self, **delta: float) -> None:
        self.clock.advance(timedelta(**delta))

    async def role_changes(self, user_id: int) -> list[tuple[int, str]]:
        async with self.db.read() as session:
            rows = (
                await session.exec(
                    select(RoleChange).where(RoleChange.user_id == user_id).order_by(RoleChange.id)  # type: ignore[arg-type]
                )
            ).all()
        return [(row.role_id, row.action) for row in rows]
