"""Helpers for the drops end-to-end tests: a community on a controllable clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.core.clock import FakeClock
from bot.discord_endpoint import use_api_base
from bot.features import guild_sections
from bot.runtime import running_app
from bot.services.drops import DropService
from bot.settings import Settings, parse_settings
from sandbox.community import Community, PreparedCommunity, prepare_community, running_community
from sandbox.discord import DiscordSandbox, Message, Person
from sandbox.stripe import StripeSandbox
from storage.drops.models import Drop

START = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # a Monday


@asynccontextmanager
async def drops_world(tmp_path: Path, database_url: str) -> AsyncIterator[Community]:
    """A community whose bot runs on a fake clock (tests move time and wake the timer)."""
    async with running_community(
        tmp_path, clock=FakeClock(START), database_url=database_url
    ) as world:
        yield world


def service(world: Community) -> DropService:
    """The drops service."""
    return world.service(DropService)


def advance(world: Community, delta: timedelta) -> None:
    """Move the bot's clock."""
    clock = world.clock
    assert isinstance(clock, FakeClock)
    clock.advance(delta)


async def add_item(
    world: Community, mod: Person, title: str = "Async in depth", *, access: str | None = None,
    body: str = "The whole lesson.", tags: str = "python, async", **options: object,
) -> int:  # fmt: skip
    """A moderator adds an item through /content add and its modal; its id."""
    if access is not None:
        options["access"] = access
    reply = await mod.run("/content add", options=options)
    saved = await mod.submit_modal(
        reply.modal,
        {"Title": title, "Summary (the teaser)": f"About {title}", "Body": body,
         "Tags (comma separated)": tags},
    )  # fmt: skip
    assert saved.ephemeral and "Saved" in saved.content, saved.content
    return int(saved.content.split("#", 1)[1].split(" ", 1)[0])


async def schedule(
    world: Community, mod: Person, content_id: int, when: str = "in 2h", channel: str = "general",
    repeat: str | None = None,
) -> int:  # fmt: skip
    """Schedule and confirm a drop; its id."""
    options: dict[str, object] = {"item": str(content_id), "when": when,
                                  "channel": world.channel(channel)}  # fmt: skip
    if repeat:
        options["repeat"] = repeat
    preview = await mod.run("/drop schedule", options=options)
    assert "<t:" in preview.content, preview.content
    done = await mod.click(preview, "Confirm")
    assert "Scheduled" in done.content, done.content
    return int(done.content.split("#", 1)[1].split(" ", 1)[0])


def drop_posts(world: Community, channel: str = "general") -> list[Message]:
    """The bot's drop posts in a channel (messages with an Open button)."""
    return [
        m for m in world.channel(channel).messages
        if any(str(b.get("custom_id", "")).startswith("lyceum:drops:open:") for b in m.buttons)
    ]  # fmt: skip


async def drop_row(world: Community, drop_id: int) -> Drop:
    """The stored drop."""
    async with world.db.read() as session:
        row = await session.get(Drop, drop_id)
    assert row is not None
    return row


@dataclass
class Stage:
    """The stand-ins and a prepared guild that outlive several bot runs (restarts)."""

    discord: DiscordSandbox
    stripe: StripeSandbox
    prepared: PreparedCommunity
    settings: Settings
    clock: FakeClock


@asynccontextmanager
async def stage(tmp_path: Path, database_url: str, drops: str = "") -> AsyncIterator[Stage]:
    """Discord and Stripe stand-ins with a furnished guild and a migrated database;
    `drops` is TOML for the guild's `[guilds.drops]` table (e.g. "session_minutes = 90")."""
    clock = FakeClock(START)
    async with DiscordSandbox() as discord_sb, StripeSandbox(clock=clock) as stripe_sb:
        prepared = await prepare_community(discord_sb, stripe_sb, tmp_path,
                                           database_url=database_url)  # fmt: skip
        config_text = prepared.config_text
        if drops:
            config_text += f"\n[guilds.drops]\n{drops}\n"
        settings = parse_settings(
            config_text, prepared.environment,
            source=str(prepared.config_path), sections=guild_sections(),
        )  # fmt: skip
        try:
            yield Stage(discord_sb, stripe_sb, prepared, settings, clock)
        finally:
            use_api_base("")


@asynccontextmanager
async def bot_up(on: Stage) -> AsyncIterator[Community]:
    """One run of the real bot on the stage (leaving the block stops it)."""
    async with running_app(on.settings, clock=on.clock, wait_until_ready=10) as app:
        yield Community(
            discord=on.discord, stripe=on.stripe, guild=on.prepared.guild, app=app,
            settings=on.settings, config_path=on.prepared.config_path, clock=on.clock,
            webhook_secret=on.prepared.webhook_secret, tier_roles=on.prepared.tier_roles,
        )  # fmt: skip
