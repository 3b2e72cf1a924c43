"""What the moderators read when the bot may not give or take away a role."""

from __future__ import annotations

from bot.core.ports import PortError
from bot.core.text import t
from bot.services.roles.rules import RoleRefused


def permission_notice(
    action: str, role_id: int, user_id: int, error: PortError | RoleRefused
) -> str:
    """What the moderators read when a role change is refused or forbidden."""
    who = {"role_id": role_id, "user_id": user_id}
    if isinstance(error, RoleRefused):
        return t(
            "⚠️ I did not give <@&{role_id}> to <@{user_id}>. {reason} "
            "I keep checking and will give it once the role is safe.",
            reason=error.reason,
            **who,
        )
    if action == "add":
        return t(
            "⚠️ I could not give <@&{role_id}> for <@{user_id}>: Discord "
            "says I lack permission. Move my role above the paid tier roles (Server "
            "Settings → Roles) and give me Manage Roles; I keep retrying and will apply "
            "it then.",
            **who,
        )
    return t(
        "⚠️ I could not take away <@&{role_id}> for <@{user_id}>: Discord "
        "says I lack permission. Move my role above the paid tier roles (Server "
        "Settings → Roles) and give me Manage Roles; I keep retrying and will apply "
        "it then.",
        **who,
    )
