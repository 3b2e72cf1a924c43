"""The validated settings: plain frozen dataclasses, secrets wrapped in `Secret`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TypeVar, cast

from bot.settings.secrets import redact_database_url
from bot.settings.sections import GuildSection

T = TypeVar("T")

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
TIER_KINDS = ("subscription", "one_time")


class Secret:
    """A value that never shows itself in logs, reprs or tracebacks."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The secret itself; pass it straight to the library that needs it."""
        return self._value

    def __bool__(self) -> bool:
        return bool(self._value)

    def __repr__(self) -> str:
        return "Secret('**********')" if self._value else "Secret('')"

    __str__ = __repr__


class SettingsError(ValueError):
    """The configuration has problems; each names its key and what is wrong."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class DiscordSettings:
    """How to reach Discord."""

    token: Secret = field(default_factory=lambda: Secret(""))
    application_id: int = 0
    dev_guild_id: int = 0
    api_base: str = ""
    sync_commands: bool = True
    shard_count: int = 0
    shard_ids: tuple[int, ...] = ()
    guild_ready_timeout: float = 2.0
    # Slash commands one member may run per minute before being asked to slow down (0: off).
    member_commands_per_minute: int = 20


@dataclass(frozen=True)
class DatabaseSettings:
    """Where the data lives; `url` is the real URL, reprs show it without the password."""

    url: str = "sqlite+aiosqlite:///lyceum.db"

    @property
    def display_url(self) -> str:
        """The URL with its password hidden, for logs and summaries."""
        return redact_database_url(self.url)

    def __repr__(self) -> str:
        return f"DatabaseSettings(url={self.display_url!r})"

    __str__ = __repr__


@dataclass(frozen=True)
class WebSettings:
    """The aiohttp server for the Stripe webhook, /healthz and /metrics."""

    host: str = "127.0.0.1"
    port: int = 8080


@dataclass(frozen=True)
class StripeSettings:
    """Stripe keys and the billing policy."""

    api_key: Secret = field(default_factory=lambda: Secret(""))
    webhook_secret: Secret = field(default_factory=lambda: Secret(""))
    api_base: str = ""
    success_url: str = "https://example.com/thanks"
    cancel_url: str = "https://example.com/cancel"
    portal_return_url: str = "https://example.com/account"
    past_due_grace_days: int = 3
    reconcile_hour: int = 4


@dataclass(frozen=True)
class InteractionLogSettings:
    """The batched interaction-log writer."""

    batch_size: int = 1000
    flush_interval_s: float = 1.0
    max_pending: int = 100_000
    close_timeout_s: float = 5.0
    max_attempts: int = 4


@dataclass(frozen=True)
class TierConfig:
    """A paid tier as configured."""

    key: str
    name: str
    kind: str
    stripe_price_id: str
    role_id: int


@dataclass(frozen=True)
class GuildConfig:
    """One community the bot serves."""

    id: int
    timezone: str = "UTC"
    member_role_id: int = 0
    moderator_role_id: int = 0
    owner_role_id: int = 0
    welcome_channel_id: int = 0
    mod_log_channel_id: int = 0
    owners_channel_id: int = 0
    qa_channel_id: int = 0
    report_weekday: str = "mon"
    report_hour: int = 9
    tiers: tuple[TierConfig, ...] = ()
    # Each feature's own `[guilds.<name>]` table, as its GuildSection read it.
    sections: Mapping[str, object] = field(default_factory=dict)

    def section(self, section: GuildSection[T]) -> T:
        """A feature's settings for this guild (its default when the table is absent)."""
        value = self.sections.get(section.name)
        return cast(T, value) if value is not None else section.default()


@dataclass(frozen=True)
class Settings:
    """Everything the process needs, validated."""

    discord: DiscordSettings = field(default_factory=DiscordSettings)
    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    web: WebSettings = field(default_factory=WebSettings)
    stripe: StripeSettings = field(default_factory=StripeSettings)
    interaction_log: InteractionLogSettings = field(default_factory=InteractionLogSettings)
    guilds: tuple[GuildConfig, ...] = ()
    source: str = "<defaults>"
    # The key of /privacy delete's pseudonyms and opt-outs; only from PRIVACY_SECRET.
    privacy_secret: Secret = field(default_factory=lambda: Secret(""))

    def guild(self, guild_id: int) -> GuildConfig | None:
        """The configured guild with this id, if any."""
        return next((g for g in self.guilds if g.id == guild_id), None)

    def problems_for_run(self) -> list[str]:
        """What still stops `lyceum run` from working (missing secrets, unset ids)."""
        problems: list[str] = []
        if not self.discord.token:
            problems.append("DISCORD_TOKEN: not set (the bot token from the Developer Portal)")
        if not self.discord.application_id:
            problems.append(
                "discord.application_id: not set (0); copy it from the Developer Portal"
            )
        if not self.guilds:
            problems.append("guilds: no [[guilds]] configured; add one with the server's id")
        has_tiers = any(g.tiers for g in self.guilds)
        if has_tiers and not self.stripe.api_key:
            problems.append("STRIPE_API_KEY: not set, but tiers are configured")
        if has_tiers and not self.stripe.webhook_secret:
            problems.append("STRIPE_WEBHOOK_SECRET: not set, but tiers are configured")
        for i, guild in enumerate(self.guilds):
            where = f"guilds[{i}]"
            if not guild.id:
                problems.append(f"{where}.id: not set (0); use the server's id")
            if not guild.owners_channel_id:
                problems.append(
                    f"{where}.owners_channel_id: not set (0); the weekly report needs it"
                )
            for j, tier in enumerate(guild.tiers):
                if not tier.role_id:
                    problems.append(f"{where}.tiers[{j}].role_id: not set (0)")
                if tier.stripe_price_id in ("", "price_..."):
                    problems.append(f"{where}.tiers[{j}].stripe_price_id: still the placeholder")
        return problems

    def summary(self) -> str:
        """A short human summary, with no secrets."""
        tiers = sum(len(g.tiers) for g in self.guilds)
        secrets = ", ".join(
            f"{name} {'set' if value else 'missing'}"
            for name, value in (
                ("DISCORD_TOKEN", self.discord.token),
                ("STRIPE_API_KEY", self.stripe.api_key),
                ("STRIPE_WEBHOOK_SECRET", self.stripe.webhook_secret),
                ("PRIVACY_SECRET", self.privacy_secret),
            )
        )
        return (
            f"{self.source}: {len(self.guilds)} guild(s), {tiers} tier(s), "
            f"database {self.database.display_url}, "
            f"web {self.web.host}:{self.web.port}; {secrets}"
        )
