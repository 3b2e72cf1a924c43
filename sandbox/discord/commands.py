"""Application commands the bot registers (bulk overwrite), validated as Discord does."""

from __future__ import annotations

import re
from typing import Any

from sandbox.discord.errors import invalid_form
from sandbox.discord.models import Command
from sandbox.discord.state import State

CHAT_INPUT_NAME = re.compile(r"^[-_\w]{1,32}$")
MAX_OPTIONS = 25


def overwrite(state: State, guild_id: int | None, items: list[dict[str, Any]]) -> list[Command]:
    """Replace the global (guild_id None) or guild command set; ids survive for same name+type."""
    previous = {(c.name, c.type): c for c in state.commands.get(guild_id, [])}
    seen: set[tuple[str, int]] = set()
    commands: list[Command] = []
    for n, item in enumerate(items):
        kind = int(item.get("type", 1))
        name = str(item.get("name", ""))
        _check(n, kind, name, item)
        if (name, kind) in seen:
            raise invalid_form(
                f"{n}.name",
                "Application command names must be unique",
                "APPLICATION_COMMANDS_DUPLICATE_NAME",
            )
        seen.add((name, kind))
        old = previous.get((name, kind))
        perms = item.get("default_member_permissions")
        commands.append(
            Command(
                id=old.id if old else state.ids.next(),
                application_id=state.application_id,
                guild_id=guild_id,
                name=name,
                type=kind,
                description=item.get("description", ""),
                options=item.get("options") or [],
                default_member_permissions=None if perms is None else str(perms),
                version=state.ids.next(),
                raw=item,
            )
        )
    state.commands[guild_id] = commands
    return commands


def _check(n: int, kind: int, name: str, item: dict[str, Any]) -> None:
    if kind == 1:
        if not CHAT_INPUT_NAME.match(name) or name != name.lower():
            raise invalid_form(
                f"{n}.name", "Command name is invalid", "APPLICATION_COMMAND_INVALID_NAME"
            )
        if not 1 <= len(item.get("description", "")) <= 100:
            raise invalid_form(
                f"{n}.description", "Must be between 1 and 100 in length.", "BASE_TYPE_BAD_LENGTH"
            )
    elif not 1 <= len(name) <= 32:
        raise invalid_form(
            f"{n}.name", "Must be between 1 and 32 in length.", "BASE_TYPE_BAD_LENGTH"
        )
    _check_options(f"{n}.options", item.get("options") or [])


def _check_options(path: str, options: list[dict[str, Any]]) -> None:
    if len(options) > MAX_OPTIONS:
        raise invalid_form(path, "Must be 25 or fewer in length.", "BASE_TYPE_MAX_LENGTH")
    optional_seen = False
    for n, option in enumerate(options):
        if not CHAT_INPUT_NAME.match(str(option.get("name", ""))):
            raise invalid_form(
                f"{path}.{n}.name", "Command name is invalid", "APPLICATION_COMMAND_INVALID_NAME"
            )
        if option.get("type") in (1, 2):
            _check_options(f"{path}.{n}.options", option.get("options") or [])
        elif option.get("required"):
            if optional_seen:
                raise invalid_form(
                    f"{path}.{n}.required",
                    "Required options must be placed before non-required options",
                    "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                )
        else:
            optional_seen = True


def payload(command: Command) -> dict[str, Any]:
    """The application command object Discord returns."""
    data: dict[str, Any] = {
        "name_localizations": None,
        "description_localizations": None,
        "nsfw": False,
        "contexts": None,
        **command.raw,
        "id": str(command.id),
        "application_id": str(command.application_id),
        "version": str(command.version),
        "type": command.type,
        "name": command.name,
        "description": command.description,
        "options": command.options,
        "default_member_permissions": command.default_member_permissions,
        "integration_types": command.raw.get("integration_types") or [0],  # null: guild install
    }
    if command.guild_id is not None:
        data["guild_id"] = str(command.guild_id)
    return data


def find(state: State, guild_id: int | None, name: str, kind: int) -> Command | None:
    """The command a member of this guild would see under that name (guild commands first)."""
    for scope in (guild_id, None):
        for command in state.commands.get(scope, []):
            if command.name == name and command.type == kind:
                return command
    return None
