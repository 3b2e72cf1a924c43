"""Roles the bot hands out, whatever feature asks: the rules every such role must pass,
and the one outbox that gives and takes them (`RoleService`)."""

from bot.core.ports import RoleFacts
from bot.services.roles.rules import (
    DANGEROUS,
    RoleRefused,
    check_new_role,
    dangerous_permissions,
    hand_out_problem,
)
from bot.services.roles.service import RoleService

__all__ = [
    "DANGEROUS",
    "RoleFacts",
    "RoleRefused",
    "RoleService",
    "check_new_role",
    "dangerous_permissions",
    "hand_out_problem",
]
