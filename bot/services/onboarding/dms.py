"""The welcome DM: functional (how to use the community's commands), sent once, opt-out.

Discord's Developer Policy forbids DMs that only exist to create activity; this one tells a
new member how to get what they came for, and how to stop DMs (`/profile dms off`).
"""

from __future__ import annotations

import logging

from bot.core.ports import DirectMessagesClosed, Notifier, OutgoingMessage, PortError
from bot.core.text import t

log = logging.getLogger(__name__)


def welcome_post(user_id: int, returning: bool, welcome_text: str) -> OutgoingMessage:
    """The public welcome (or "welcome back") once a member is in."""
    mention = f"<@{user_id}>"
    if returning:
        return OutgoingMessage(content=t("Welcome back, {member}!", member=mention))
    if welcome_text:
        return OutgoingMessage(content=welcome_text.replace("{member}", mention))
    return OutgoingMessage(content=t("Welcome to the community, {member}!", member=mention))


async def send_welcome_dm(notifier: Notifier, guild_id: int, user_id: int) -> None:
    """Send the welcome DM; closed DMs or a failure are logged, nothing more."""
    try:
        await notifier.dm(user_id, welcome_dm())
    except DirectMessagesClosed:
        log.info("guild %s: member %s does not accept DMs; no welcome DM", guild_id, user_id)
    except PortError as error:
        log.warning("guild %s: welcome DM to %s failed: %s", guild_id, user_id, error)


def welcome_dm() -> OutgoingMessage:
    """What a new member reads in their DMs once they are in (when the guild enables it)."""
    return OutgoingMessage(
        content="\n".join(
            (
                t("Welcome! A few commands to get the most out of the community:"),
                t("• /library — browse the guides and past content drops"),
                t("• /ask — ask a question; members and moderators answer in a thread"),
                t("• /subscribe — see the paid tiers and join one"),
                t("• /profile show — your status, interests and tier"),
                t("I only DM for things like this. Run /profile dms off to stop all DMs."),
            )
        )
    )
