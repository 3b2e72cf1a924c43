"""The event bus: subscribers by type, in order, isolated from each other's failures."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.core.events import AnswerAccepted, DomainEvent, EventBus, MemberJoined

AT = datetime(2026, 1, 1, tzinfo=UTC)


async def test_subscribers_get_events_of_their_type_only() -> None:
    bus, seen = EventBus(), list[DomainEvent]()

    async def on_join(event: MemberJoined) -> None:
        seen.append(event)

    bus.subscribe(MemberJoined, on_join)
    await bus.publish(AnswerAccepted(1, AT, question_id=1, asker_id=2, answerer_id=3, message_id=4))
    await bus.publish(MemberJoined(1, AT, user_id=5))
    assert seen == [MemberJoined(1, AT, user_id=5)]


async def test_a_failing_subscriber_does_not_stop_the_next(
    caplog: pytest.LogCaptureFixture,
) -> None:
    bus, seen = EventBus(), list[int]()

    async def broken(event: MemberJoined) -> None:
        raise RuntimeError("boom")

    async def working(event: MemberJoined) -> None:
        seen.append(event.user_id)

    bus.subscribe(MemberJoined, broken)
    bus.subscribe(MemberJoined, working)
    await bus.publish(MemberJoined(1, AT, user_id=7))
    assert seen == [7] and "boom" in caplog.text


async def test_subscribers_of_the_base_event_see_every_event() -> None:
    bus, seen = EventBus(), list[str]()

    async def any_event(event: DomainEvent) -> None:
        seen.append(type(event).__name__)

    bus.subscribe(DomainEvent, any_event)
    await bus.publish(MemberJoined(1, AT, user_id=5))
    assert seen == ["MemberJoined"]
