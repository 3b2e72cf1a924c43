"""Roles the bot hands out, whatever feature asks: the rules every such role must pass."""

from bot.core.ports import RoleFacts
from bot.services.roles.rules import (
    DANGEROUS,
    RoleRefused,
    check_new_role,
    dangerous_permissions,
    hand_out_problem,
)

__all__ = [
    "DANGEROUS",
    "RoleFacts",
    "RoleRefused",
    "check_new_role",
    "dangerous_permissions",
    "hand_out_problem",
]
