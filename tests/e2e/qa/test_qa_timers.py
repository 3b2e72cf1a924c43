"""Nudges and timers on the controllable clock: each fires once, across a restart too."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlmodel import col, select

from bot.core.clock import FakeClock
from bot.discord_endpoint import use_api_base
from bot.features import guild_sections
from bot.runtime import App, running_app
from bot.services.qa.service import QaService
from bot.settings import parse_settings
from sandbox.community import prepare_community
from sandbox.discord import Channel, DiscordSandbox
from sandbox.stripe import StripeSandbox
from storage.qa.models import Question
from tests.e2e.qa.qa_support import ask

START = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def bot_posts(thread: Channel, words: str) -> int:
    return sum(1 for m in thread.messages if words in m.content)


async def test_nudge_and_inactive_close_fire_once_across_a_restart(
    tmp_path: Path, database_url: str
) -> None:
    clock = FakeClock(START)
    async with DiscordSandbox() as discord_sb, StripeSandbox() as stripe_sb:
        prepared = await prepare_community(
            discord_sb, stripe_sb, tmp_path, database_url=database_url
        )
        settings = parse_settings(
            prepared.config_text, prepared.environment, source="test", sections=guild_sections()
        )
        guild = prepared.guild
        try:
            async with running_app(settings, clock=clock, wait_until_ready=10) as app:
                alice, bob = await guild.join("alice"), await guild.join("bob")
                await ask(alice)
                stored: Question = (await _questions(app))[-1]
                thread = discord_sb.state.channels[stored.thread_id]
                await bob.say(thread, "Fill the NaN keys before merging.")
                service = app.services.get(QaService)
                await discord_sb.wait_for(lambda: _answered(app, stored.id or 0))
                clock.advance(timedelta(hours=25))
                first = await service.run_due()
                again = await service.run_due()
            async with running_app(settings, clock=clock, wait_until_ready=10) as app:
                service = app.services.get(QaService)
                after_restart = await service.run_due()
                clock.advance(timedelta(days=7))
                closed = await service.run_due()
                closed_again = await service.run_due()
                final = (await _questions(app))[-1]
        finally:
            use_api_base("")

    assert [f.kind for f in first] == ["answered_unmarked"] and again == []
    assert after_restart == [] and [f.kind for f in closed] == ["inactive_close"]
    assert closed_again == []
    assert bot_posts(thread, "Mark as answer**, so others") == 1
    assert bot_posts(thread, "no activity for 7 days") == 1
    assert final.status == "closed" and final.close_reason == "inactive"


async def _questions(app: App) -> list[Question]:
    async with app.context.db.read() as session:
        return list((await session.exec(select(Question).order_by(col(Question.id)))).all())


async def _answered(app: App, question_id: int) -> bool:
    rows = await _questions(app)
    return any(q.id == question_id and q.status == "answered" for q in rows)


async def test_an_unanswered_question_pings_the_helpers_once(
    tmp_path: Path, database_url: str
) -> None:
    clock = FakeClock(START)
    async with DiscordSandbox() as discord_sb, StripeSandbox() as stripe_sb:
        prepared = await prepare_community(
            discord_sb, stripe_sb, tmp_path, database_url=database_url
        )
        helpers = prepared.guild.role("Helpers")
        text = prepared.config_text + f"\n[guilds.qa]\nhelpers_role_id = {helpers.id}\n"
        settings = parse_settings(
            text, prepared.environment, source="test", sections=guild_sections()
        )
        try:
            async with running_app(settings, clock=clock, wait_until_ready=10) as app:
                alice = await prepared.guild.join("alice")
                await ask(alice)
                [stored] = await _questions(app)
                thread = discord_sb.state.channels[stored.thread_id]
                service = app.services.get(QaService)
                early = await service.run_due()
                clock.advance(timedelta(hours=13))
                fired = await service.run_due()
                again = await service.run_due()
        finally:
            use_api_base("")

    assert early == [] and [f.kind for f in fired] == ["unanswered"] and again == []
    assert bot_posts(thread, f"<@&{helpers.id}>") == 1
