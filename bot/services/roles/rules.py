"""Which roles the bot may hand out: one rule for tier, onboarding, interest and level roles.

The bot's role sits high, so whatever role it gives is a power it lends. It never lends
moderator or admin powers, only roles below its own, and only roles below the highest role
of whoever picks them (else a moderator could use the bot to climb above themselves).
The rule is checked when a role is chosen and again every time the role is given, since
a role may gain permissions afterwards.
"""

from __future__ import annotations

from functools import reduce
from operator import or_

from bot.core.access import Caller, Permission
from bot.core.errors import InvalidInput, NotAllowed
from bot.core.ports import RoleFacts
from bot.core.text import t

# Powers over other members, channels or the server: never handed out by the bot.
DANGEROUS: Permission = reduce(
    or_,
    (
        Permission.ADMINISTRATOR,
        Permission.MANAGE_GUILD,
        Permission.MANAGE_ROLES,
        Permission.MANAGE_CHANNELS,
        Permission.MANAGE_WEBHOOKS,
        Permission.MANAGE_GUILD_EXPRESSIONS,
        Permission.MANAGE_EVENTS,
        Permission.MANAGE_THREADS,
        Permission.MANAGE_MESSAGES,
        Permission.MANAGE_NICKNAMES,
        Permission.PIN_MESSAGES,
        Permission.KICK_MEMBERS,
        Permission.BAN_MEMBERS,
        Permission.MODERATE_MEMBERS,
        Permission.MUTE_MEMBERS,
        Permission.DEAFEN_MEMBERS,
        Permission.MOVE_MEMBERS,
        Permission.MENTION_EVERYONE,
        Permission.VIEW_AUDIT_LOG,
        Permission.VIEW_GUILD_INSIGHTS,
        Permission.VIEW_CREATOR_MONETIZATION_ANALYTICS,
    ),
)


class RoleRefused(Exception):
    """The bot will not hand this role out; `reason` says why, for the moderators."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def dangerous_permissions(role: RoleFacts) -> Permission:
    """The role's permissions that the bot refuses to lend."""
    return Permission(role.permissions & DANGEROUS)


def hand_out_problem(role: RoleFacts) -> str | None:
    """Why the bot must not give this role to anyone now; None when it may."""
    if role.is_everyone:
        return t("@everyone is not a role anyone can be given; pick a real role.")
    if role.managed:
        return t(
            "{role} belongs to a bot or an integration, so nobody can hand it out; "
            "pick a role you created.",
            role=role.mention,
        )
    danger = dangerous_permissions(role)
    if danger:
        return t(
            "{role} carries {permissions}: I never hand out roles "
            "with moderator or admin powers. Take those permissions off the role, or pick "
            "another one.",
            role=role.mention,
            permissions=", ".join(danger.labels()),
        )
    return None


def check_new_role(role: RoleFacts, *, caller: Caller, bot_top_position: int) -> None:
    """Raise unless `caller` may make the bot hand out `role` from now on."""
    problem = hand_out_problem(role)
    if problem is not None:
        raise InvalidInput(problem)
    if role.position >= bot_top_position:
        raise InvalidInput(
            t(
                "{role} is above my role, so Discord would not let me give it. Move my "
                "role above it (Server Settings → Roles), then try again.",
                role=role.mention,
            )
        )
    if not caller.outranks(role.position):
        raise NotAllowed(
            t(
                "{role} is above your highest role (or level with it): you can only "
                "pick roles below your own.",
                role=role.mention,
            )
        )
