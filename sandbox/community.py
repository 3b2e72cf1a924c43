"""A whole community on 127.0.0.1: both stand-ins and the real bot, for tests and the demo.

async with running_community(tmp_path) as world:
    alice = await world.guild.join("alice")
    reply = await alice.run("/subscribe", tier="pro")
"""

from __future__ import annotations

import json
import secrets
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from bot.core.clock import Clock, SystemClock
from bot.discord_endpoint import use_api_base
from bot.features import guild_sections
from bot.runtime import App, running_app
from bot.settings import Settings, parse_settings
from sandbox.discord import Channel, DiscordSandbox, Perm, Person, Role, SandboxGuild
from sandbox.stripe import RetryPolicy, StripeSandbox
from storage.database import Database
from storage.interaction_log import InteractionLog
from storage.migrate import upgrade

WEBHOOK_PATH = "/stripe/webhook"
T = TypeVar("T")


@dataclass(frozen=True)
class TierSpec:
    """A paid tier to create on both stand-ins."""

    key: str
    name: str
    kind: str  # subscription | one_time
    price_id: str
    amount: int
    interval: str | None  # None for one-time prices


DEFAULT_TIERS = (
    TierSpec("pro", "Pro", "subscription", "price_pro_monthly", 1500, "month"),
    TierSpec("lifetime", "Lifetime", "one_time", "price_lifetime", 9900, None),
)


@dataclass
class Community:
    """A running community: the stand-ins, the guild's furniture and the real bot."""

    discord: DiscordSandbox
    stripe: StripeSandbox
    guild: SandboxGuild
    app: App
    settings: Settings
    config_path: Path
    clock: Clock
    webhook_secret: str
    tier_roles: dict[str, Role] = field(default_factory=dict)

    def service(self, kind: type[T]) -> T:
        """One feature's service, by its type: `world.service(BillingService)`."""
        return self.app.services.get(kind)

    @property
    def db(self) -> Database:
        """The bot's database."""
        return self.app.context.db

    @property
    def interaction_log(self) -> InteractionLog:
        """The bot's interaction-log writer."""
        return self.app.interaction_log

    @property
    def owner(self) -> Person:
        """The guild's owner (all permissions)."""
        return self.guild.owner

    def channel(self, name: str) -> Channel:
        """A channel of the guild by name."""
        return self.guild.channel(name)

    async def moderator(self, name: str = "mod") -> Person:
        """A member with the Moderator role (joins if needed)."""
        person = await self.guild.join(name)
        await self.guild.give_role(person, self.guild.role("Moderator"))
        return person


def furnish_guild(guild: SandboxGuild, tiers: tuple[TierSpec, ...]) -> dict[str, Role]:
    """Channels and roles a Lyceum guild has; returns the tier roles by tier key."""
    for name in ("general", "welcome", "mod-log", "owners"):
        guild.create_text_channel(name)
    guild.create_forum_channel(
        "questions", tags=["python", "career", "solved"], moderated=["solved"]
    )
    guild.create_voice_channel("lounge")
    guild.create_role("Member")
    guild.create_role("Moderator", permissions=Perm.MANAGE_ROLES | Perm.MANAGE_MESSAGES)
    guild.create_role("Owner", permissions=Perm.MANAGE_GUILD)
    guild.create_role("Helpers")
    return {tier.key: guild.create_role(tier.name) for tier in tiers}


def community_config(
    discord_sb: DiscordSandbox,
    stripe_sb: StripeSandbox,
    guild: SandboxGuild,
    tier_roles: dict[str, Role],
    tiers: tuple[TierSpec, ...],
    database_url: str,
) -> str:
    """The config.toml text for a community on the stand-ins."""
    tier_tables = "".join(
        f"""
[[guilds.tiers]]
key = "{tier.key}"
name = "{tier.name}"
kind = "{tier.kind}"
stripe_price_id = "{tier.price_id}"
role_id = {tier_roles[tier.key].id}
"""
        for tier in tiers
    )
    return f"""# Written by sandbox.community for a local community.
[discord]
application_id = {discord_sb.application_id}
api_base = "{discord_sb.api_base}"
guild_ready_timeout = 0.05

[database]
url = "{database_url}"

[web]
host = "127.0.0.1"
port = 0

[stripe]
api_base = "{stripe_sb.api_base}"

[interaction_log]
flush_interval_s = 0.05

[[guilds]]
id = {guild.id}
timezone = "UTC"
member_role_id = {guild.role("Member").id}
moderator_role_id = {guild.role("Moderator").id}
owner_role_id = {guild.role("Owner").id}
welcome_channel_id = {guild.channel("welcome").id}
mod_log_channel_id = {guild.channel("mod-log").id}
owners_channel_id = {guild.channel("owners").id}
qa_channel_id = {guild.channel("questions").id}
{tier_tables}"""


@dataclass(frozen=True)
class PreparedCommunity:
    """A furnished guild on the stand-ins, a migrated database and the bot's config."""

    guild: SandboxGuild
    tier_roles: dict[str, Role]
    config_path: Path
    config_text: str
    environment: dict[str, str]
    webhook_secret: str
    database_url: str


async def prepare_community(
    discord_sb: DiscordSandbox,
    stripe_sb: StripeSandbox,
    data_dir: Path,
    *,
    tiers: tuple[TierSpec, ...] = DEFAULT_TIERS,
    overrides: Mapping[str, Mapping[str, object]] | None = None,
    database_url: str | None = None,
) -> PreparedCommunity:
    """Furnish a guild and Stripe prices, migrate the database (default: a SQLite file in
    `data_dir`; tests may pass an empty PostgreSQL one), write config.toml."""
    guild = discord_sb.create_guild("Lyceum")
    tier_roles = furnish_guild(guild, tiers)
    for tier in tiers:
        stripe_sb.add_price(
            tier.price_id,
            unit_amount=tier.amount,
            currency="usd",
            interval=tier.interval,
            product_name=tier.name,
        )
    database_url = database_url or f"sqlite+aiosqlite:///{data_dir / 'lyceum.db'}"
    config_text = community_config(discord_sb, stripe_sb, guild, tier_roles, tiers, database_url)
    for section, values in (overrides or {}).items():
        for key, value in values.items():
            config_text = _override(config_text, section, key, value)
    config_path = data_dir / "config.toml"
    config_path.write_text(config_text, encoding="utf-8")
    webhook_secret = f"whsec_{secrets.token_hex(16)}"
    db = Database.from_url(database_url)
    try:
        await upgrade(db)
    finally:
        await db.close()
    return PreparedCommunity(
        guild=guild,
        tier_roles=tier_roles,
        config_path=config_path,
        config_text=config_text,
        environment={
            "DISCORD_TOKEN": discord_sb.token,
            "STRIPE_API_KEY": stripe_sb.api_key,
            "STRIPE_WEBHOOK_SECRET": webhook_secret,
            "PRIVACY_SECRET": secrets.token_hex(32),
        },
        webhook_secret=webhook_secret,
        database_url=database_url,
    )


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)
    return str(value)


def _override(config_text: str, section: str, key: str, value: object) -> str:
    rendered = _toml_value(value)
    lines = config_text.splitlines()
    start = lines.index(f"[{section}]")
    for i in range(start + 1, len(lines)):
        if lines[i].startswith("["):
            break
        if lines[i].split("=")[0].strip() == key:
            lines[i] = f"{key} = {rendered}"
            return "\n".join(lines) + "\n"
    lines.insert(start + 1, f"{key} = {rendered}")
    return "\n".join(lines) + "\n"


@asynccontextmanager
async def running_community(
    data_dir: Path,
    *,
    clock: Clock | None = None,
    tiers: tuple[TierSpec, ...] = DEFAULT_TIERS,
    extra_extensions: tuple[str, ...] = (),
    stripe_retry: RetryPolicy | None = None,
    overrides: Mapping[str, Mapping[str, object]] | None = None,
    database_url: str | None = None,
) -> AsyncIterator[Community]:
    """Start Discord and Stripe stand-ins and the real bot on a fresh database (default: a
    SQLite file in `data_dir`).

    `overrides` changes config keys, e.g. `{"interaction_log": {"flush_interval_s": 60}}`.
    """
    clock = clock or SystemClock()
    async with (
        DiscordSandbox() as discord_sb,
        StripeSandbox(clock=clock, retry=stripe_retry) as stripe_sb,
    ):
        prepared = await prepare_community(
            discord_sb,
            stripe_sb,
            data_dir,
            tiers=tiers,
            overrides=overrides,
            database_url=database_url,
        )
        settings = parse_settings(
            prepared.config_text,
            prepared.environment,
            source=str(prepared.config_path),
            sections=guild_sections(),
        )
        try:
            async with running_app(
                settings, clock=clock, extra_extensions=extra_extensions, wait_until_ready=10
            ) as app:
                stripe_sb.add_endpoint(f"{app.web_url}{WEBHOOK_PATH}", prepared.webhook_secret)
                yield Community(
                    discord=discord_sb,
                    stripe=stripe_sb,
                    guild=prepared.guild,
                    app=app,
                    settings=settings,
                    config_path=prepared.config_path,
                    clock=clock,
                    webhook_secret=prepared.webhook_secret,
                    tier_roles=prepared.tier_roles,
                )
        finally:
            use_api_base("")
