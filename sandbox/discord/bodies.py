"""Parse and validate the message bodies the bot sends (JSON or multipart), as Discord does."""

from __future__ import annotations

import copy
import mimetypes
from dataclasses import dataclass, field
from typing import Any

from sandbox.discord.errors import DiscordError, invalid_form
from sandbox.discord.models import Attachment, walk_components
from sandbox.discord.snowflake import Snowflakes

MAX_CONTENT = 2000
MAX_EMBEDS = 10
EMBED_LIMITS = {"title": 256, "description": 4096}
MAX_EMBED_TOTAL = 6000
MAX_ROWS = 5
MAX_CUSTOM_ID = 100
COMPONENTS_V2 = 1 << 15


@dataclass
class Upload:
    """One `files[n]` part of a multipart request."""

    index: int
    filename: str
    content_type: str | None
    data: bytes


@dataclass
class MessageBody:
    """The message fields a request sets; None means "not given"."""

    content: str | None = None
    embeds: list[dict[str, Any]] | None = None
    components: list[dict[str, Any]] | None = None
    flags: int | None = None
    kept_attachment_ids: list[int] | None = None
    new_attachments: list[Attachment] = field(default_factory=list)
    reference_id: int | None = None
    nonce: str | None = None
    enforce_nonce: bool = False

    def is_empty(self) -> bool:
        """True when the body would create a message with nothing in it."""
        return not (self.content or self.embeds or self.components or self.new_attachments)


def parse_message_body(data: dict[str, Any], uploads: list[Upload], ids: Snowflakes) -> MessageBody:
    """Validate a message payload and turn its uploads into attachments."""
    body = MessageBody(
        content=data.get("content"),
        embeds=data.get("embeds"),
        components=data.get("components"),
        flags=data.get("flags"),
    )
    if body.content is not None:
        body.content = str(body.content)
        if len(body.content) > MAX_CONTENT:
            raise invalid_form(
                "content", f"Must be {MAX_CONTENT} or fewer in length.", "BASE_TYPE_MAX_LENGTH"
            )
    if body.embeds is not None:
        body.embeds = [_checked_embed(i, e) for i, e in enumerate(body.embeds)]
        if len(body.embeds) > MAX_EMBEDS:
            raise invalid_form(
                "embeds", f"Must be {MAX_EMBEDS} or fewer in length.", "BASE_TYPE_MAX_LENGTH"
            )
    if body.components is not None:
        _check_components(body.components, v2=bool((body.flags or 0) & COMPONENTS_V2))
        body.components = numbered_components(body.components)
    nonce = data.get("nonce")
    if nonce is not None:
        if isinstance(nonce, bool) or not isinstance(nonce, str | int) or len(str(nonce)) > 25:
            raise invalid_form("nonce", "Must be 25 or fewer in length.", "BASE_TYPE_MAX_LENGTH")
        body.nonce = str(nonce)
        body.enforce_nonce = bool(data.get("enforce_nonce"))
    reference = data.get("message_reference")
    if reference and reference.get("message_id"):
        body.reference_id = int(reference["message_id"])
    _attach_uploads(body, data.get("attachments"), uploads, ids)
    return body


def _attach_uploads(
    body: MessageBody, listed: list[dict[str, Any]] | None, uploads: list[Upload], ids: Snowflakes
) -> None:
    """Uploads listed by index become new attachments; listed snowflakes keep old ones."""
    by_index = {u.index: u for u in uploads}
    if listed is not None:
        body.kept_attachment_ids = []
    for entry in listed or []:
        upload = by_index.pop(int(entry["id"]), None)
        if upload is None:
            body.kept_attachment_ids = [*(body.kept_attachment_ids or []), int(entry["id"])]
        else:
            filename = entry.get("filename") or upload.filename
            body.new_attachments.append(
                _attachment(upload, filename, entry.get("description"), ids)
            )
    body.new_attachments.extend(_attachment(u, u.filename, None, ids) for u in by_index.values())


def _attachment(
    upload: Upload, filename: str, description: str | None, ids: Snowflakes
) -> Attachment:
    """Store an upload; like Discord, name the content type from the file name when not given."""
    content_type = upload.content_type
    if content_type in (None, "application/octet-stream"):
        content_type = mimetypes.guess_type(filename)[0] or content_type
    return Attachment(ids.next(), filename, content_type, upload.data, description)


def _checked_embed(index: int, embed: dict[str, Any]) -> dict[str, Any]:
    total = 0
    for key, limit in EMBED_LIMITS.items():
        text = embed.get(key) or ""
        total += len(text)
        if len(text) > limit:
            raise invalid_form(
                f"embeds.{index}.{key}",
                f"Must be {limit} or fewer in length.",
                "BASE_TYPE_MAX_LENGTH",
            )
    fields = embed.get("fields") or []
    if len(fields) > 25:
        raise invalid_form(
            f"embeds.{index}.fields", "Must be 25 or fewer in length.", "BASE_TYPE_MAX_LENGTH"
        )
    for n, item in enumerate(fields):
        for key, limit in (("name", 256), ("value", 1024)):
            text = str(item.get(key) or "")
            total += len(text)
            if not text or len(text) > limit:
                raise invalid_form(
                    f"embeds.{index}.fields.{n}.{key}",
                    f"Must be between 1 and {limit} in length.",
                    "BASE_TYPE_BAD_LENGTH",
                )
    total += len((embed.get("footer") or {}).get("text") or "")
    total += len((embed.get("author") or {}).get("name") or "")
    if total > MAX_EMBED_TOTAL:
        raise invalid_form(
            "embeds", "Embed size exceeds maximum size of 6000", "MAX_EMBED_SIZE_EXCEEDED"
        )
    return {"type": "rich", **embed}


def _check_components(components: list[dict[str, Any]], *, v2: bool) -> None:
    if not v2:
        if len(components) > MAX_ROWS:
            raise invalid_form(
                "components", f"Must be {MAX_ROWS} or fewer in length.", "BASE_TYPE_MAX_LENGTH"
            )
        for n, row in enumerate(components):
            if row.get("type") != 1:
                raise invalid_form(
                    f"components.{n}", "Component type must be an action row", "UNION_TYPE_CHOICES"
                )
            if len(row.get("components", [])) > 5:
                raise invalid_form(
                    f"components.{n}.components",
                    "Must be 5 or fewer in length.",
                    "BASE_TYPE_MAX_LENGTH",
                )
    seen: set[str] = set()
    for component in walk_components(components):
        custom_id = component.get("custom_id")
        if custom_id is None:
            continue
        if len(custom_id) > MAX_CUSTOM_ID:
            raise invalid_form(
                "components", "custom_id must be 100 or fewer in length.", "BASE_TYPE_MAX_LENGTH"
            )
        if custom_id in seen:
            raise invalid_form(
                "components",
                "Component custom id cannot be duplicated",
                "COMPONENT_CUSTOM_ID_DUPLICATED",
            )
        seen.add(custom_id)


def numbered_components(components: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A copy where every component has its numeric `id`, as Discord stores them.

    An id the app gave stays (it must be unique in the message); the others get the next
    free number from 1, depth first, skipping the ones taken (0 counts as not given).
    """
    numbered = copy.deepcopy(components)
    taken: set[int] = set()
    for component in walk_components(numbered):
        given = component.get("id")
        if not given:
            continue
        if not isinstance(given, int) or isinstance(given, bool) or not 0 < given < 2**31:
            raise invalid_form("components", "id must be a 32-bit integer of 1 or more.")
        if given in taken:
            raise invalid_form("components", "Component id cannot be duplicated.")
        taken.add(given)
    next_id = 1
    for component in walk_components(numbered):
        if not component.get("id"):
            while next_id in taken:
                next_id += 1
            component["id"] = next_id
            taken.add(next_id)
    return numbered


def empty_message() -> DiscordError:
    """400 50006 for a message with no content, embeds, components or files."""
    return DiscordError(400, 50006, "Cannot send an empty message")
