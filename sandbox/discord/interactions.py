"""Interaction lifecycle: INTERACTION_CREATE, then callback, original response, follow-ups."""

from __future__ import annotations

import secrets
import time
from typing import Any

from sandbox.discord import payloads
from sandbox.discord.bodies import MessageBody, numbered_components, parse_message_body
from sandbox.discord.errors import DiscordError, invalid_form, unknown
from sandbox.discord.messages import Messages
from sandbox.discord.models import Channel, Interaction, Message, MessageFlag, User
from sandbox.discord.state import State

RESPONSE_DEADLINE = 3.0
TOKEN_LIFETIME = 15 * 60.0
ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024
ALLOWED_CALLBACKS = {2: {4, 5, 9}, 3: {4, 5, 6, 7, 9}, 4: {8}, 5: {4, 5, 6, 7}}
MAX_CHOICES = 25


class Interactions:
    """Sends interactions to the bot and applies the bot's answers."""

    def __init__(
        self,
        state: State,
        messages: Messages,
        *,
        response_deadline: float = RESPONSE_DEADLINE,
        token_lifetime: float = TOKEN_LIFETIME,
    ) -> None:
        self.state = state
        self.messages = messages
        self.response_deadline = response_deadline
        self.token_lifetime = token_lifetime
        self._by_token: dict[str, Interaction] = {}

    def send(
        self,
        user: User,
        channel: Channel,
        type: int,
        data: dict[str, Any],
        message: Message | None = None,
    ) -> Interaction:
        """Dispatch INTERACTION_CREATE from a member in a guild channel and record it."""
        interaction = Interaction(
            id=self.state.ids.next(),
            token=f"itoken-{secrets.token_urlsafe(24)}",
            type=type,
            user=user,
            guild_id=channel.guild_id,
            channel_id=channel.id,
            data=data,
            message_id=message.id if message else None,
        )
        self.state.interactions[interaction.id] = interaction
        self._by_token[interaction.token] = interaction
        payload = self._payload(interaction, channel, message)
        interaction.sent_at = time.perf_counter()
        self.state.dispatch("INTERACTION_CREATE", payload, channel.guild_id)
        return interaction

    def _payload(self, i: Interaction, channel: Channel, message: Message | None) -> dict[str, Any]:
        guild = self.state.guild(channel.guild_id or 0)
        perms = guild.permissions(guild.members[i.user.id])
        payload: dict[str, Any] = {
            "id": str(i.id),
            "application_id": str(self.state.application_id),
            "type": i.type,
            "data": i.data,
            "guild_id": str(guild.id),
            "guild": {"id": str(guild.id), "locale": "en-US", "features": []},
            "channel_id": str(channel.id),
            "channel": {**payloads.channel(channel, self.state), "permissions": str(perms)},
            "member": {**payloads.member(guild.members[i.user.id]), "permissions": str(perms)},
            "token": i.token,
            "version": 1,
            "app_permissions": str(self.state.permissions_in(guild, self.state.bot_user.id)),
            "locale": "en-US",
            "guild_locale": "en-US",
            "entitlements": [],
            "authorizing_integration_owners": {"0": str(guild.id)},
            "context": 0,
            "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
        }
        if message is not None:
            payload["message"] = payloads.message(message, self.state)
        return payload

    def by_token(self, token: str) -> Interaction:
        """The interaction a webhook token belongs to, or 404 Unknown Webhook."""
        interaction = self._by_token.get(token)
        if interaction is None:
            raise unknown("Webhook")
        if time.perf_counter() - interaction.sent_at > self.token_lifetime:
            raise DiscordError(401, 50027, "Invalid Webhook Token")
        return interaction

    def callback(
        self, interaction_id: int, token: str, body: dict[str, Any], uploads: list[Any]
    ) -> dict[str, Any]:
        """Apply `POST /interactions/{id}/{token}/callback`; return the `with_response` body."""
        i = self.state.interactions.get(interaction_id)
        if i is None or i.token != token:
            raise unknown("interaction")
        if i.response_type is not None:
            raise DiscordError(400, 40060, "Interaction has already been acknowledged.")
        if time.perf_counter() - i.sent_at > self.response_deadline:
            raise unknown("interaction")
        kind = body.get("type")
        if kind not in ALLOWED_CALLBACKS[i.type] or (kind in (6, 7) and i.message_id is None):
            raise invalid_form("type", "Value must be one of the valid interaction callback types.")
        data = body.get("data") or {}
        resource: dict[str, Any] = {"type": kind}
        if kind in (4, 5):
            parsed = parse_message_body(data, uploads, self.state.ids)
            loading = MessageFlag.LOADING if kind == 5 else 0
            message = self.messages.post(
                self.state.channel(i.channel_id),
                self.state.bot_user,
                parsed,
                type=self._message_type(i),
                interaction_id=i.id,
                webhook_id=self.state.application_id,
                extra_flags=loading,
                allow_empty=kind == 5,
            )
            i.original_id = message.id
        elif kind in (6, 7):
            i.original_id = i.message_id
            if kind == 7:
                parsed = parse_message_body(data, uploads, self.state.ids)
                self.messages.edit(self.state.messages[i.message_id or 0], parsed)
        elif kind == 8:
            self._check_choices(data.get("choices", []))
        else:
            self._check_modal(data)
            data = {**data, "components": numbered_components(data["components"])}
        i.response_type, i.response_data = kind, data
        i.responded_at = time.perf_counter()
        i.touch()
        if kind in (4, 7):  # the message sent or updated; a deferral (5, 6) has none yet
            resource["message"] = payloads.message(
                self.state.messages[i.original_id or 0], self.state
            )
        return {"interaction": self._callback_object(i, kind), "resource": resource}

    def _callback_object(self, i: Interaction, kind: int) -> dict[str, Any]:
        """The `interaction` of a `with_response` answer; `resource.message` only for 4 and 7.

        A deferral (5) names the loading message it created; 6, 8 and 9 create none.
        """
        answer: dict[str, Any] = {"id": str(i.id), "type": i.type}
        if i.original_id is None or kind not in (4, 5, 7):
            return answer
        original = self.state.messages[i.original_id]
        answer.update(
            response_message_id=str(original.id),
            response_message_loading=original.loading,
            response_message_ephemeral=original.ephemeral,
        )
        return answer

    @staticmethod
    def _message_type(i: Interaction) -> int:
        if i.type != 2:
            return 0
        return 20 if i.data.get("type", 1) == 1 else 23

    @staticmethod
    def _check_choices(choices: list[dict[str, Any]]) -> None:
        if len(choices) > MAX_CHOICES:
            raise invalid_form(
                "data.choices", "Must be 25 or fewer in length.", "BASE_TYPE_MAX_LENGTH"
            )
        for n, choice in enumerate(choices):
            if not 1 <= len(str(choice.get("name", ""))) <= 100:
                raise invalid_form(
                    f"data.choices.{n}.name",
                    "Must be between 1 and 100 in length.",
                    "BASE_TYPE_BAD_LENGTH",
                )

    @staticmethod
    def _check_modal(data: dict[str, Any]) -> None:
        if not data.get("custom_id"):
            raise invalid_form("data.custom_id", "This field is required", "BASE_TYPE_REQUIRED")
        if not 1 <= len(data.get("title") or "") <= 45:
            raise invalid_form(
                "data.title", "Must be between 1 and 45 in length.", "BASE_TYPE_BAD_LENGTH"
            )
        if not 1 <= len(data.get("components") or []) <= 5:
            raise invalid_form(
                "data.components", "Must be between 1 and 5 in length.", "BASE_TYPE_BAD_LENGTH"
            )

    def original(self, i: Interaction) -> Message:
        """The original response message, or 404 Unknown Message."""
        found = self.state.messages.get(i.original_id or 0)
        if found is None or found.deleted:
            raise unknown("Message")
        return found

    def edit(self, i: Interaction, message: Message, body: MessageBody) -> Message:
        """Edit a response message; a deferred one stops "thinking"."""
        self.messages.edit(message, body, clear_flags=MessageFlag.LOADING)
        i.touch()
        return message

    def followup(self, i: Interaction, body: MessageBody) -> Message:
        """POST a follow-up; right after a deferral it fills the loading message instead."""
        if i.response_type is None:
            raise unknown("Webhook")
        if i.original_id is not None and i.response_type == 5:
            original = self.original(i)
            if original.loading:
                return self.edit(i, original, body)
        message = self.messages.post(
            self.state.channel(i.channel_id),
            self.state.bot_user,
            body,
            interaction_id=i.id,
            webhook_id=self.state.application_id,
        )
        i.followup_ids.append(message.id)
        i.touch()
        return message

    def response_message(self, i: Interaction, message_id: str) -> Message:
        """`@original` or one of the follow-ups, or 404 Unknown Message."""
        if message_id == "@original":
            return self.original(i)
        if int(message_id) not in (*i.followup_ids, i.original_id):
            raise unknown("Message")
        found = self.state.messages[int(message_id)]
        if found.deleted:
            raise unknown("Message")
        return found

    def delete(self, i: Interaction, message: Message) -> None:
        """Delete a response message."""
        self.messages.delete(message)
        i.touch()
