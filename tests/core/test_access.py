"""The one access policy: who passes which gate, and that no gate is wider than it declares."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.access import (
    GATES,
    MODERATORS,
    OWNERS,
    SERVER_MANAGERS,
    AccessPolicy,
    Caller,
    Gate,
    Permission,
)
from bot.core.errors import NotAllowed
from bot.settings import GuildConfig, Settings

GUILD = 1
MODERATOR_ROLE = 70
OWNER_ROLE = 80
CONFIG = GuildConfig(GUILD, moderator_role_id=MODERATOR_ROLE, owner_role_id=OWNER_ROLE)
POLICY = AccessPolicy(Settings(guilds=(CONFIG,)).guild)
ALL_BITS = (1 << 53) - 1

callers = st.builds(
    Caller,
    user_id=st.integers(1, 10),
    role_ids=st.frozensets(st.sampled_from([MODERATOR_ROLE, OWNER_ROLE, 90, 91])),
    permissions=st.one_of(
        st.integers(0, ALL_BITS),
        st.sampled_from([0, int(Permission.MANAGE_ROLES), int(Permission.MANAGE_MESSAGES)]),
    ),
    top_role_position=st.integers(0, 30),
    is_guild_owner=st.booleans(),
)


def discord_shows(gate: Gate, caller: Caller) -> bool:
    """Discord's own rule for default member permissions (administrators see everything)."""
    declared = gate.default_member_permissions
    if declared is None or caller.is_guild_owner:
        return True
    held = caller.permissions
    return bool(held & Permission.ADMINISTRATOR) or held & declared == declared


def configured_role(gate: Gate) -> int:
    return gate.configured_role(CONFIG) if gate.configured_role else 0


@settings(max_examples=50, deadline=None)
@given(gate=st.sampled_from(GATES), caller=callers, guild_id=st.sampled_from([GUILD, 2]))
def test_no_gate_lets_in_anyone_its_declaration_shuts_out_but_its_configured_role(
    gate: Gate, caller: Caller, guild_id: int
) -> None:
    allowed = POLICY.allows(gate, guild_id, caller)
    by_role = guild_id == GUILD and configured_role(gate) in caller.role_ids
    if allowed and gate.declared:
        assert discord_shows(gate, caller) or by_role
    assert allowed == (caller.has(gate.permission) or by_role)


@settings(max_examples=50, deadline=None)
@given(caller=callers)
def test_setup_needs_manage_server_exactly(caller: Caller) -> None:
    assert POLICY.allows(SERVER_MANAGERS, GUILD, caller) == discord_shows(SERVER_MANAGERS, caller)


def test_a_moderator_passes_the_moderators_gate_but_not_setup() -> None:
    mod = Caller(5, frozenset({MODERATOR_ROLE}), permissions=int(Permission.MANAGE_ROLES))
    POLICY.require(MODERATORS, GUILD, mod)
    with pytest.raises(NotAllowed, match="Manage Server"):
        POLICY.require(SERVER_MANAGERS, GUILD, mod)


def test_the_owners_role_opens_stats_without_manage_server() -> None:
    assert POLICY.allows(OWNERS, GUILD, Caller(5, frozenset({OWNER_ROLE})))
    assert not POLICY.allows(OWNERS, GUILD, Caller(5, frozenset({MODERATOR_ROLE})))
    assert not POLICY.allows(OWNERS, 2, Caller(5, frozenset({OWNER_ROLE})))  # not configured


def test_administrators_and_the_guild_owner_hold_every_permission() -> None:
    assert Caller(1, permissions=int(Permission.ADMINISTRATOR)).has(Permission.MANAGE_GUILD)
    assert Caller(1, is_guild_owner=True).has(Permission.BAN_MEMBERS)
    assert not Caller(1, permissions=int(Permission.MANAGE_ROLES)).has(Permission.MANAGE_GUILD)


def test_permission_labels_are_the_clients_names() -> None:
    both = Permission.MANAGE_GUILD | Permission.MODERATE_MEMBERS | Permission.BAN_MEMBERS
    assert both.labels() == ["Ban Members", "Manage Server", "Timeout Members"]
