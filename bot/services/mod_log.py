"""Posting one line to a guild's moderators' log channel, for features that keep what they
post in a table and retry until it lands (audit entries, feedback)."""

from __future__ import annotations

import logging

from bot.core.ports import OutgoingMessage, PortError, Publisher, TemporarilyUnavailable
from bot.settings import Settings

log = logging.getLogger(__name__)


async def post_to_mod_log(
    settings: Settings, publisher: Publisher, guild_id: int, text: str, *, what: str
) -> bool:
    """Post `text`; False only when Discord is struggling and the post should be retried.

    No log channel, or a permanent refusal (missing channel or permission), counts as done:
    it would block every later post, and the row stays readable where it is stored.
    """
    guild = settings.guild(guild_id)
    channel_id = guild.mod_log_channel_id if guild else 0
    if not channel_id:
        return True
    try:
        await publisher.post(channel_id, OutgoingMessage(content=text))
    except TemporarilyUnavailable:
        return False
    except PortError as error:
        log.warning("%s not posted to the moderators' log: %s", what, error)
    return True
