"""Moderators' setup of onboarding: gate, member role, welcome channel and text, topics.

Every change is checked (moderators only; roles through the shared role rules) and audited.
"""

from __future__ import annotations

import re

from bot.core.access import Caller
from bot.core.clock import Clock
from bot.core.errors import InvalidInput, NotFound
from bot.core.ports import RoleFacts
from bot.core.text import t
from bot.services.onboarding.service import OnboardingService
from bot.services.onboarding.views import (
    CAMPAIGN_MAX,
    INVITE_CODE_MAX,
    MAX_TOPICS,
    TOPIC_KEY_MAX,
    TOPIC_LABEL_MAX,
    WELCOME_TEXT_MAX,
    OnboardingView,
)
from bot.services.roles import check_new_role
from storage.audit.queries import add_audit
from storage.database import Database
from storage.onboarding import queries

_KEY = re.compile(r"[a-z0-9][a-z0-9_-]*\Z")
# discord.gg/<code>: letters, digits and dashes (vanity codes included)
_INVITE = re.compile(
    r"(?:https?://)?(?:discord\.gg/|discord(?:app)?\.com/invite/)?([A-Za-z0-9-]+)\Z"
)


class OnboardingSetup:
    """`/setup onboarding`, `/setup topic` and `/setup show`."""

    def __init__(self, service: OnboardingService) -> None:
        self._service = service
        self._db: Database = service.db
        self._clock: Clock = service.clock

    async def show(self, guild_id: int, caller: Caller) -> OnboardingView:
        """The guild's onboarding settings (moderators only)."""
        self._service.require_moderator(guild_id, caller)
        return await self._service.view(guild_id)

    async def configure(
        self,
        guild_id: int,
        caller: Caller,
        *,
        gate: bool | None = None,
        member_role: RoleFacts | None = None,
        welcome_channel_id: int | None = None,
        welcome_text: str | None = None,
        welcome_dm: bool | None = None,
        bot_top_position: int,
    ) -> OnboardingView:
        """Change the given settings; post the gate message when the gate is on and unposted."""
        self._service.require_moderator(guild_id, caller)
        if member_role is not None:
            check_new_role(member_role, caller=caller, bot_top_position=bot_top_position)
        if welcome_text is not None and len(welcome_text) > WELCOME_TEXT_MAX:
            raise InvalidInput(
                t("The welcome text is too long (at most {limit} characters).",
                  limit=WELCOME_TEXT_MAX)
            )  # fmt: skip
        async with self._db.transaction() as session:
            row = await self._service.settings_row(session, guild_id)
            changes: dict[str, object] = {}
            if gate is not None:
                row.gate_enabled = changes["gate"] = gate
            if member_role is not None:
                row.member_role_id = changes["member_role_id"] = member_role.id
            if welcome_channel_id is not None:
                if welcome_channel_id != row.welcome_channel_id:
                    row.gate_message_id = 0  # a new channel gets its own gate message
                row.welcome_channel_id = changes["welcome_channel_id"] = welcome_channel_id
            if welcome_text is not None:
                row.welcome_text = changes["welcome_text"] = welcome_text.strip()
            if welcome_dm is not None:
                row.welcome_dm = changes["welcome_dm"] = welcome_dm
            row.updated_at = self._clock.now()
            await queries.save_settings(session, row)
            await add_audit(
                session, guild_id, caller.user_id, "onboarding.set", row.updated_at,
                details=changes,
            )  # fmt: skip
            post_to = (
                row.welcome_channel_id
                if row.gate_enabled and row.welcome_channel_id and not row.gate_message_id
                else 0
            )
        if post_to:
            await self._service.post_gate_message(guild_id, post_to)
        return await self._service.view(guild_id)

    async def set_topic(
        self,
        guild_id: int,
        caller: Caller,
        key: str,
        *,
        label: str | None = None,
        emoji: str | None = None,
        role: RoleFacts | None = None,
        remove: bool = False,
        bot_top_position: int,
    ) -> OnboardingView:
        """Create, change or remove one topic."""
        self._service.require_moderator(guild_id, caller)
        key = key.strip().lower()
        if not _KEY.match(key) or len(key) > TOPIC_KEY_MAX:
            raise InvalidInput(
                t("A topic key is a short lowercase word (letters, digits, - and _).")
            )
        now = self._clock.now()
        async with self._db.transaction() as session:
            existing = {topic.key: topic for topic in await queries.topics(session, guild_id)}
            if remove:
                if not await queries.remove_topic(session, guild_id, key):
                    raise NotFound(t("There is no topic {key}.", key=key))
                await add_audit(
                    session, guild_id, caller.user_id, "onboarding.topic_remove", now,
                    details={"key": key},
                )  # fmt: skip
            else:
                old = existing.get(key)
                if old is None and len(existing) >= MAX_TOPICS:
                    raise InvalidInput(t("A server can offer at most 25 topics."))
                if role is None and old is None:
                    raise InvalidInput(t("A new topic needs a role."))
                if role is not None:
                    check_new_role(role, caller=caller, bot_top_position=bot_top_position)
                name = (label if label is not None else old.label if old else key).strip()
                if not name or len(name) > TOPIC_LABEL_MAX:
                    raise InvalidInput(t("A topic's label is 1 to 100 characters."))
                role_id = role.id if role is not None else old.role_id if old else 0
                icon = (emoji if emoji is not None else old.emoji if old else "").strip()
                await queries.save_topic(session, guild_id, key, name, icon[:32], role_id)
                await add_audit(
                    session, guild_id, caller.user_id, "onboarding.topic_set", now,
                    details={"key": key, "label": name, "role_id": role_id},
                )  # fmt: skip
        return await self._service.view(guild_id)

    async def name_invite(
        self, guild_id: int, caller: Caller, code: str, campaign: str = "", *, remove: bool = False
    ) -> OnboardingView:
        """Name an invite code as a campaign (or forget its name); the stats group by it."""
        self._service.require_moderator(guild_id, caller)
        found = _INVITE.match(code.strip())
        if found is None or len(found[1]) > INVITE_CODE_MAX:
            raise InvalidInput(t("That is not an invite code (the part after discord.gg/)."))
        code = found[1]
        now = self._clock.now()
        async with self._db.transaction() as session:
            if remove:
                if not await queries.unname_invite(session, guild_id, code):
                    raise NotFound(t("The invite {code} has no campaign name.", code=code))
                await add_audit(
                    session, guild_id, caller.user_id, "onboarding.invite_unname", now,
                    details={"code": code},
                )  # fmt: skip
            else:
                name = campaign.strip()
                if not name or len(name) > CAMPAIGN_MAX:
                    raise InvalidInput(t("A campaign name is 1 to 50 characters."))
                await queries.name_invite(session, guild_id, code, name, caller.user_id, now)
                await add_audit(
                    session, guild_id, caller.user_id, "onboarding.invite_name", now,
                    details={"code": code, "campaign": name},
                )  # fmt: skip
        return await self._service.view(guild_id)
