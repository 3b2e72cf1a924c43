"""The welcome DM: functional (how to use the community's commands), sent once, opt-out.

Discord's Developer Policy forbids DMs that only exist to create activity; this one tells a
new member how to get what they came for, and how to stop DMs (`/profile dms off`).
"""

from __future__ import annotations

from bot.core.ports import OutgoingMessage
from bot.core.text import t


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
