"""Build the `data` of interactions a person triggers, from the commands the bot registered."""

from __future__ import annotations

from typing import Any, Protocol

from sandbox.discord import payloads
from sandbox.discord.models import (
    Attachment,
    Channel,
    Command,
    Guild,
    Member,
    Message,
    Role,
    User,
    walk_components,
)
from sandbox.discord.state import State

SUBCOMMAND, GROUP = 1, 2
STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, MENTIONABLE, NUMBER, ATTACHMENT = range(3, 12)
SCALARS = {STRING: str, INTEGER: int, BOOLEAN: bool, NUMBER: float}
SELECT_TYPES = {3, 5, 6, 7, 8}


class HasUser(Protocol):
    """Anything that stands for a user (a Person, a Member)."""

    @property
    def user(self) -> User:
        """The user."""
        ...


def as_user(value: User | HasUser) -> User:
    """The User behind a Person, Member or User."""
    return value if isinstance(value, User) else value.user


class Resolver:
    """Collects the `resolved` map (users, members, roles, channels, attachments, messages)."""

    def __init__(self, state: State, guild: Guild) -> None:
        self.state = state
        self.guild = guild
        self.resolved: dict[str, dict[str, Any]] = {}

    def _put(self, kind: str, key: int, data: dict[str, Any]) -> str:
        self.resolved.setdefault(kind, {})[str(key)] = data
        return str(key)

    def user(self, who: User) -> str:
        """Resolve a user (and their member, when in the guild)."""
        member = self.guild.members.get(who.id)
        if member is not None:
            data = payloads.member(member, with_user=False)
            self._put(
                "members", who.id, {**data, "permissions": str(self.guild.permissions(member))}
            )
        return self._put("users", who.id, payloads.user(who))

    def role(self, role: Role) -> str:
        """Resolve a role."""
        return self._put("roles", role.id, payloads.role(role))

    def channel(self, channel: Channel, member: Member) -> str:
        """Resolve a channel with the invoking member's permissions."""
        data = {
            **payloads.channel(channel, self.state),
            "permissions": str(self.guild.permissions(member)),
        }
        return self._put("channels", channel.id, data)

    def attachment(self, attachment: Attachment) -> str:
        """Resolve an uploaded attachment."""
        self.state.attachments[attachment.id] = attachment
        return self._put("attachments", attachment.id, payloads.attachment(attachment, self.state))

    def message(self, message: Message) -> str:
        """Resolve a message (message context-menu target)."""
        return self._put("messages", message.id, payloads.message(message, self.state))


def chat_input_data(
    command: Command,
    path: list[str],
    values: dict[str, Any],
    resolver: Resolver,
    member: Member,
    *,
    focused: str | None = None,
) -> dict[str, Any]:
    """`data` for /command [group] [sub] with options; `focused` marks an autocomplete option."""
    specs = command.options
    chain: list[dict[str, Any]] = []
    for name in path[1:]:
        spec = _spec(specs, name, command.name)
        if spec["type"] not in (SUBCOMMAND, GROUP):
            raise ValueError(f"{name!r} is not a subcommand of /{command.name}")
        chain.append(spec)
        specs = spec.get("options") or []
    if any(s["type"] in (SUBCOMMAND, GROUP) for s in specs):
        raise ValueError(f"/{' '.join(path)} needs a subcommand: {[s['name'] for s in specs]}")
    options = [
        _option(_spec(specs, name, command.name), value, resolver, member, name == focused)
        for name, value in values.items()
    ]
    missing = [s["name"] for s in specs if s.get("required") and s["name"] not in values]
    if missing and focused is None:
        raise ValueError(f"/{' '.join(path)} requires options {missing}")
    for spec in reversed(chain):
        options = [{"type": spec["type"], "name": spec["name"], "options": options}]
    data: dict[str, Any] = {
        "id": str(command.id),
        "name": command.name,
        "type": 1,
        "options": options,
    }
    if command.guild_id is not None:
        data["guild_id"] = str(command.guild_id)
    if resolver.resolved:
        data["resolved"] = resolver.resolved
    return data


def _spec(specs: list[dict[str, Any]], name: str, command: str) -> dict[str, Any]:
    for spec in specs:
        if spec["name"] == name:
            return spec
    raise ValueError(f"/{command} has no option {name!r}; it has {[s['name'] for s in specs]}")


def _option(
    spec: dict[str, Any], value: Any, resolver: Resolver, member: Member, focused: bool
) -> dict[str, Any]:
    kind = spec["type"]
    option: dict[str, Any] = {"type": kind, "name": spec["name"]}
    if focused:
        return {**option, "value": str(value), "focused": True}
    if kind in SCALARS:
        converted = SCALARS[kind](value)
        choices = [c["value"] for c in spec.get("choices") or []]
        if choices and converted not in choices:
            raise ValueError(f"{spec['name']}={value!r} is not one of the choices {choices}")
        option["value"] = converted
    elif kind == ROLE or (kind == MENTIONABLE and isinstance(value, Role)):
        option["value"] = resolver.role(value)
    elif kind in (USER, MENTIONABLE):
        option["value"] = resolver.user(as_user(value))
    elif kind == CHANNEL:
        option["value"] = resolver.channel(value, member)
    elif kind == ATTACHMENT:
        option["value"] = resolver.attachment(value)
    else:
        raise ValueError(f"unsupported option type {kind}")
    return option


def context_menu_data(
    command: Command, target: User | Message, resolver: Resolver
) -> dict[str, Any]:
    """`data` for a user (type 2) or message (type 3) context-menu command."""
    target_id = resolver.user(target) if isinstance(target, User) else resolver.message(target)
    data: dict[str, Any] = {
        "id": str(command.id),
        "name": command.name,
        "type": command.type,
        "target_id": target_id,
        "resolved": resolver.resolved,
    }
    if command.guild_id is not None:
        data["guild_id"] = str(command.guild_id)
    return data


def find_component(message: Message, key: str) -> dict[str, Any]:
    """A component of the message by custom_id, or a button by label."""
    components = walk_components(message.components)
    for component in components:
        if component.get("custom_id") == key:
            return component
    for component in components:
        if component.get("type") == 2 and component.get("label") == key:
            return component
    seen = [c.get("custom_id") or c.get("label") for c in components if c.get("type") != 1]
    raise LookupError(f"message {message.id} has no component {key!r}; it has {seen}")


def component_data(component: dict[str, Any], values: list[str] | None) -> dict[str, Any]:
    """`data` for a button click or a select choice."""
    if component.get("disabled"):
        raise ValueError(f"component {component.get('custom_id')!r} is disabled")
    if component.get("type") == 2:
        if "custom_id" not in component:
            raise ValueError("link and premium buttons do not send interactions")
        return {"component_type": 2, "id": component["id"], "custom_id": component["custom_id"]}
    if component.get("type") not in SELECT_TYPES:
        raise ValueError(f"component type {component.get('type')} cannot be used")
    picked = list(values or [])
    if component["type"] == 3:
        offered = [o["value"] for o in component.get("options", [])]
        unknown = [v for v in picked if v not in offered]
        if unknown:
            raise ValueError(f"{unknown} are not options of {component['custom_id']!r}: {offered}")
    if not component.get("min_values", 1) <= len(picked) <= component.get("max_values", 1):
        raise ValueError(
            f"{component['custom_id']!r} takes between {component.get('min_values', 1)}"
            f" and {component.get('max_values', 1)} values"
        )
    return {
        "component_type": component["type"],
        "id": component["id"],
        "custom_id": component["custom_id"],
        "values": picked,
    }
