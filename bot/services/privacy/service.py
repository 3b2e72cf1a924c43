"""`/privacy`: what is kept, everything about a member as JSON, and deletion in seconds.

Export and deletion loop over every feature's privacy hooks (`Feature.privacy`), so a
feature added later is covered by declaring its hooks. A deletion runs every feature's
`forget_member` in one transaction: personal data is erased, and rows the numbers are made
of keep a pseudonym (a keyed hash under PRIVACY_SECRET) instead of the member's id.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import zipfile
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.core.clock import Clock
from bot.core.errors import DomainError, InvalidInput
from bot.core.ports import Attachment, Standing
from bot.core.text import t
from bot.services.privacy.keys import PrivacyKey
from bot.services.privacy.settings import PRIVACY_SECTION
from bot.settings import Settings
from storage.audit.queries import add_audit
from storage.database import Database, Session
from storage.interaction_log import InteractionLog
from storage.privacy import Erasure
from storage.privacy import queries as privacy_store

if TYPE_CHECKING:
    from bot.services.privacy.retention import PrivacyRetention

log = logging.getLogger(__name__)

FORMAT_VERSION = 1


class PrivacyUnavailable(DomainError):
    """Deletion cannot run: the owner has not set the privacy secret."""


@dataclass(frozen=True)
class FeatureHooks:
    """One feature's privacy hooks, as the service loops over them (`Feature.privacy`)."""

    name: str
    tables: tuple[str, ...]
    export_member: Callable[[Session, int, int], Awaitable[dict[str, Any]]]
    forget_member: Callable[[Session, Erasure], Awaitable[int]]
    kept: Mapping[str, str]


@dataclass(frozen=True)
class PrivacyInfo:
    """What `/privacy` tells a member."""

    policy_url: str
    features: tuple[str, ...]
    interactions_days: int
    forget_left_after_days: int
    opted_out: bool
    deletion_available: bool


@dataclass(frozen=True)
class Deleted:
    """What a deletion did."""

    rows: int
    stop_recording: bool
    kept: dict[str, str]


class PrivacyService:
    """Export, deletion and opt-outs for members; retention runs in `PrivacyRetention`."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        settings: Settings,
        interaction_log: InteractionLog,
        hooks: Sequence[FeatureHooks],
    ) -> None:
        self._db = db
        self._clock = clock
        self._settings = settings
        self._log = interaction_log
        secret = settings.privacy_secret
        self._key = PrivacyKey(secret) if secret else None
        self.hooks = tuple(hooks)
        self._opted_out: set[tuple[int, str]] = set()
        self._told_missing_key = False
        self.retention: PrivacyRetention | None = None  # set by the feature's build
        self.standing: Standing | None = None  # billing, when built: paid access blocks deletion

    # ------------------------------------------------------------ lifetime

    async def start(self) -> None:
        """Load the opt-outs and have the interaction log honour them."""
        if self._key is None:
            self.say_key_missing()
        else:
            async with self._db.read() as session:
                self._opted_out = await privacy_store.opted_out(session)
        self._log.set_consent(self.may_record)
        if self.retention is not None:
            self.retention.schedule()

    async def stop(self) -> None:
        """Cancel the retention timer."""
        if self.retention is not None:
            self.retention.unschedule()

    @property
    def key(self) -> PrivacyKey | None:
        """The keyed hash of members, or None when PRIVACY_SECRET is not set."""
        return self._key

    def say_key_missing(self) -> None:
        """Tell the owner once, in the log, that PRIVACY_SECRET is missing."""
        if not self._told_missing_key:
            self._told_missing_key = True
            log.error(
                "privacy: PRIVACY_SECRET is not set; /privacy delete, opt-outs and the "
                "forgetting of departed members are refused until it is "
                "(see config.example.toml)"
            )

    def require_key(self) -> PrivacyKey:
        """The key, or a clear refusal (and one log line for the owner) when it is missing."""
        if self._key is None:
            self.say_key_missing()
            raise PrivacyUnavailable(
                t(
                    "Deletion is not available yet: the server's owner has not finished "
                    "setting up privacy (the bot's privacy key is missing). Nothing was "
                    "deleted. Please tell a moderator; you can still use /privacy export."
                )
            )
        return self._key

    # ------------------------------------------------------------ opt-outs

    def may_record(self, guild_id: int, user_id: int) -> bool:
        """False for a member who asked not to be recorded (the interaction log asks)."""
        if not self._opted_out or self._key is None:
            return True
        return (guild_id, self._key.subject(guild_id, user_id)) not in self._opted_out

    # ------------------------------------------------------------ export

    async def export(
        self, guild_id: int, user_id: int, *, size_limit: int | None = None
    ) -> Attachment:
        """Everything stored about the member in this guild, as one JSON file (zipped when
        it would not fit in `size_limit` bytes, Discord's upload limit)."""
        now = self._clock.now()
        data: dict[str, Any] = {
            "format": FORMAT_VERSION,
            "guild_id": str(guild_id),
            "user_id": str(user_id),
            "exported_at": now.isoformat(),
            "about": t(
                "Everything Lyceum stores about you in this server. Message content is "
                'never stored; /ask text and answers marked with "Mark as answer" are, '
                "because you gave them to the bot. The privacy policy: docs/privacy.md."
            ),
            "features": {},
        }
        async with self._db.read() as session:
            for hooks in self.hooks:
                data["features"][hooks.name] = await hooks.export_member(session, guild_id, user_id)
            if self._key is not None:
                subject = self._key.subject(guild_id, user_id)
                data["features"]["privacy"] = {
                    "requests": await privacy_store.requests_of(session, guild_id, subject),
                    "opted_out": (guild_id, subject) in self._opted_out,
                }
        body = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)
        name = f"lyceum-data-{guild_id}-{user_id}.json"
        raw = body.encode("utf-8")
        if size_limit is None or len(raw) <= size_limit:
            return Attachment(name, raw)
        return Attachment(f"{name}.zip", await asyncio.to_thread(_zipped, name, raw))

    # ------------------------------------------------------------ deletion

    async def require_no_paid_access(self, guild_id: int, user_id: int) -> None:
        """Refuse while the member holds a tier: after a deletion the bot could no longer
        take the tier's role away when the payments stop (or give it back when they run)."""
        if self.standing is None:
            return
        tiers = await self.standing.active_tier_keys(guild_id, user_id)
        if tiers:
            raise InvalidInput(
                t(
                    "You still hold a paid tier ({tiers}). Cancel it with /billing (or ask "
                    "a moderator to revoke a tier they gave you), then delete your data: "
                    "otherwise the bot could no longer tell that the tier is yours.",
                    tiers=", ".join(sorted(tiers)),
                )
            )

    async def delete(self, guild_id: int, user_id: int, *, stop_recording: bool) -> Deleted:
        """Erase the member's personal data in one transaction; keep the numbers under a
        pseudonym; with `stop_recording`, record nothing about them from now on."""
        key = self.require_key()
        await self.require_no_paid_access(guild_id, user_id)
        subject = key.subject(guild_id, user_id)
        opt_out = (guild_id, subject)
        newly_opted_out = stop_recording and opt_out not in self._opted_out
        if newly_opted_out:
            self._opted_out.add(opt_out)  # before the transaction: no new rows slip in
        # Rows still queued were made before this request: they go with the rest.
        self._log.forget_pending(guild_id, user_id)
        try:
            erasure = Erasure(
                guild_id, user_id, key.pseudonym(guild_id, user_id), self._clock.now(),
                stop_recording,
            )  # fmt: skip
            deleted = await self._erase(erasure, subject, kind="delete")
        except BaseException:
            if newly_opted_out:
                self._opted_out.discard(opt_out)
            raise
        log.info(
            "privacy: a member's data was deleted in guild %s (%d rows)", guild_id, deleted.rows
        )
        return deleted

    async def forget(self, guild_id: int, user_id: int, kind: str) -> Deleted:
        """Forget a member as a deletion does (retention of departed members)."""
        key = self.require_key()
        erasure = Erasure(guild_id, user_id, key.pseudonym(guild_id, user_id), self._clock.now())
        return await self._erase(erasure, key.subject(guild_id, user_id), kind=kind)

    async def _erase(self, erasure: Erasure, subject: str, *, kind: str) -> Deleted:
        kept: dict[str, str] = {}
        async with self._db.transaction() as session:
            request = await privacy_store.add_request(
                session, erasure.guild_id, subject, kind, erasure.at,
                stop_recording=erasure.stop_recording,
            )  # fmt: skip
            rows = 0
            for hooks in self.hooks:
                rows += await hooks.forget_member(session, erasure)
                kept.update(hooks.kept)
            if erasure.stop_recording:
                await privacy_store.add_opt_out(session, erasure.guild_id, subject, erasure.at)
            await add_audit(
                session, erasure.guild_id, erasure.pseudonym, f"privacy.{kind}", erasure.at,
                target_user_id=erasure.pseudonym,
                details={"rows": rows, "stop_recording": erasure.stop_recording},
            )  # fmt: skip
            await privacy_store.complete_request(session, request, self._clock.now(), rows, kept)
        return Deleted(rows, erasure.stop_recording, kept)

    # ------------------------------------------------------------ info

    def info(self, guild_id: int, user_id: int) -> PrivacyInfo:
        """What `/privacy` shows: where the policy is, what is kept, retention, opt-out."""
        guild = self._settings.guild(guild_id)
        policy = guild.section(PRIVACY_SECTION) if guild else PRIVACY_SECTION.default()
        opted_out = self._key is not None and (
            (guild_id, self._key.subject(guild_id, user_id)) in self._opted_out
        )
        return PrivacyInfo(
            policy_url=policy.policy_url,
            features=tuple(h.name for h in self.hooks),
            interactions_days=policy.interactions_days,
            forget_left_after_days=policy.forget_left_after_days,
            opted_out=opted_out,
            deletion_available=self._key is not None,
        )


def _zipped(name: str, data: bytes) -> bytes:
    """`data` as the one file `name` of a zip archive."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, data)
    return out.getvalue()
