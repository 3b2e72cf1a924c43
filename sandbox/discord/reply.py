"""What a person sees after triggering an interaction: the bot's reply, modal or choices."""

# ruff: noqa: ASYNC109  # test-facing helpers take a plain `timeout` on purpose

from __future__ import annotations

import asyncio
from typing import Any

from sandbox.discord.models import Attachment, Interaction, Message, walk_components
from sandbox.discord.state import State

TEXT_INPUT, LABEL = 4, 18


class Modal:
    """A modal the bot opened; fill it with `person.submit_modal(modal, {...})`."""

    def __init__(self, interaction: Interaction, data: dict[str, Any]) -> None:
        self.interaction = interaction
        self.custom_id: str = data["custom_id"]
        self.title: str = data["title"]
        self.components: list[dict[str, Any]] = data["components"]

    @property
    def inputs(self) -> list[dict[str, Any]]:
        """The fields (text inputs, selects), each with its `label` (Label wrapper or its own)."""
        found = []
        for top in self.components:
            wrapped = [top["component"]] if top.get("type") == LABEL else top.get("components", [])
            for item in wrapped:
                label = top.get("label") if top.get("type") == LABEL else item.get("label")
                found.append({**item, "label": label})
        return found

    def submission(self, values: dict[str, Any]) -> list[dict[str, Any]]:
        """MODAL_SUBMIT `components` mirroring the modal's layout; keys: custom_id or label."""
        by_key = {
            **{i.get("label"): i["custom_id"] for i in self.inputs},
            **{i["custom_id"]: i["custom_id"] for i in self.inputs},
        }
        unknown = [k for k in values if k not in by_key]
        if unknown:
            raise ValueError(
                f"modal {self.custom_id!r} has no fields {unknown}; "
                f"it has {[(i['custom_id'], i['label']) for i in self.inputs]}"
            )
        given = {by_key[k]: v for k, v in values.items()}
        submitted = []
        for top in self.components:
            if top.get("type") == LABEL:
                answer = _answer(top["component"], given)
                submitted.append({"type": LABEL, "id": top["id"], "component": answer})
            elif top.get("type") == 1:
                answers = [_answer(c, given) for c in top.get("components", [])]
                submitted.append({"type": 1, "id": top["id"], "components": answers})
        return submitted


def _answer(field: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
    # A field the person leaves alone is sent as the bot prefilled it (`value`, `default`).
    prefilled = field.get("value") if field["type"] == TEXT_INPUT else _defaults(field)
    value = given.get(field["custom_id"], prefilled)
    answer = {"type": field["type"], "id": field["id"], "custom_id": field["custom_id"]}
    if field["type"] != TEXT_INPUT:
        return {**answer, "values": list(value or [])}
    text = "" if value is None else str(value)
    if field.get("required", True) and not text:
        raise ValueError(f"modal field {field['custom_id']!r} is required")
    if not field.get("min_length", 0) <= len(text) <= field.get("max_length", 4000) and text:
        raise ValueError(
            f"modal field {field['custom_id']!r} must be {field.get('min_length', 0)}"
            f"-{field.get('max_length', 4000)} characters"
        )
    return {**answer, "value": text}


def _defaults(field: dict[str, Any]) -> list[str]:
    return [o["value"] for o in field.get("options", []) if o.get("default")]


class Reply:
    """The answer to one interaction, read live from the sandbox state."""

    def __init__(self, state: State, interaction: Interaction) -> None:
        self._state = state
        self.interaction = interaction

    def __repr__(self) -> str:
        return (
            f"<Reply type={self.type} content={self.content!r} ephemeral={self.ephemeral} "
            f"modal={self.modal.custom_id if self.modal else None}>"
        )

    @property
    def type(self) -> int | None:
        """The callback type the bot answered with (4, 5, 6, 7, 8, 9), None before it answers."""
        return self.interaction.response_type

    @property
    def deferred(self) -> bool:
        """True when the bot deferred (type 5 or 6)."""
        return self.type in (5, 6)

    @property
    def message(self) -> Message | None:
        """The response message (for buttons answered with 6/7: the message clicked)."""
        found = self._state.messages.get(self.interaction.original_id or 0)
        return None if found is None or found.deleted else found

    @property
    def followups(self) -> list[Message]:
        """Follow-up messages, oldest first."""
        found = (self._state.messages[m] for m in self.interaction.followup_ids)
        return [m for m in found if not m.deleted]

    @property
    def content(self) -> str:
        """The response message's text ("" when none)."""
        return self.message.content if self.message else ""

    @property
    def embeds(self) -> list[dict[str, Any]]:
        """The response message's embeds."""
        return self.message.embeds if self.message else []

    @property
    def components(self) -> list[dict[str, Any]]:
        """The response message's components."""
        return self.message.components if self.message else []

    @property
    def buttons(self) -> list[dict[str, Any]]:
        """Every button of the response message."""
        return [c for c in walk_components(self.components) if c.get("type") == 2]

    @property
    def files(self) -> list[Attachment]:
        """The response message's attachments."""
        return self.message.attachments if self.message else []

    @property
    def ephemeral(self) -> bool:
        """True when only this person sees the response."""
        return bool(self.message and self.message.ephemeral)

    @property
    def modal(self) -> Modal | None:
        """The modal the bot opened (type 9)."""
        if self.type != 9 or self.interaction.response_data is None:
            return None
        return Modal(self.interaction, self.interaction.response_data)

    @property
    def choices(self) -> list[dict[str, Any]]:
        """Autocomplete choices (type 8)."""
        if self.type != 8 or self.interaction.response_data is None:
            return []
        choices: list[dict[str, Any]] = self.interaction.response_data.get("choices", [])
        return choices

    @property
    def latency(self) -> float | None:
        """Seconds from INTERACTION_CREATE sent to the bot's callback."""
        return self.interaction.latency

    def settled(self) -> bool:
        """True once the bot answered and, if it deferred with "thinking", filled the answer in."""
        if self.type is None:
            return False
        return self.type != 5 or self.message is None or not self.message.loading

    async def wait(self, timeout: float = 5.0) -> Reply:
        """Wait (up to `timeout` seconds) until `settled()`; raise TimeoutError otherwise."""
        changed = self.interaction.changed
        try:
            async with asyncio.timeout(timeout):
                while True:
                    changed.clear()
                    if self.settled():
                        return self
                    await changed.wait()
        except TimeoutError:
            raise TimeoutError(
                f"no settled answer to interaction {self.interaction.id} "
                f"({self.interaction.data.get('name') or self.interaction.data.get('custom_id')}) "
                f"within {timeout}s: {self!r}"
            ) from None
