"""The role rules every role the bot hands out must pass, whatever feature asks."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.access import Caller, Permission
from bot.core.errors import DomainError, InvalidInput, NotAllowed
from bot.services.roles import DANGEROUS, RoleFacts, check_new_role, hand_out_problem

MANAGER = Caller(1, permissions=int(Permission.MANAGE_GUILD), top_role_position=10)
ALL_BITS = (1 << 53) - 1

roles = st.builds(
    RoleFacts,
    id=st.integers(1, 10**18),
    position=st.integers(0, 40),
    permissions=st.one_of(
        st.integers(0, ALL_BITS),
        st.sampled_from([0, int(Permission.SEND_MESSAGES), int(Permission.ADMINISTRATOR)]),
        st.sampled_from(list(Permission)).map(int),
    ),
    managed=st.booleans(),
    is_everyone=st.booleans(),
)
callers = st.builds(
    Caller,
    user_id=st.just(1),
    permissions=st.integers(0, ALL_BITS),
    top_role_position=st.integers(0, 40),
    is_guild_owner=st.booleans(),
)


@settings(max_examples=50, deadline=None)
@given(role=roles, caller=callers, bot_top=st.integers(0, 40))
def test_a_role_is_accepted_only_when_it_is_harmless_and_below_both(
    role: RoleFacts, caller: Caller, bot_top: int
) -> None:
    harmless = not role.is_everyone and not role.managed and not role.permissions & DANGEROUS
    assert (hand_out_problem(role) is None) == harmless
    try:
        check_new_role(role, caller=caller, bot_top_position=bot_top)
    except DomainError as refusal:
        assert len(refusal.user_message) < 1000
        assert not (harmless and role.position < bot_top and caller.outranks(role.position))
    else:
        assert harmless and role.position < bot_top
        assert caller.is_guild_owner or role.position < caller.top_role_position


@settings(max_examples=50, deadline=None)
@given(bits=st.integers(0, ALL_BITS))
def test_the_refusal_names_every_dangerous_permission(bits: int) -> None:
    problem = hand_out_problem(RoleFacts(5, 1, permissions=bits))
    danger = Permission(bits & DANGEROUS)
    assert (problem is None) == (not danger)
    for label in danger.labels():
        assert problem is not None and label in problem


@pytest.mark.parametrize(
    "permission",
    [
        Permission.ADMINISTRATOR, Permission.MANAGE_GUILD, Permission.MANAGE_ROLES,
        Permission.MANAGE_CHANNELS, Permission.MANAGE_WEBHOOKS,
        Permission.MANAGE_GUILD_EXPRESSIONS, Permission.MANAGE_EVENTS, Permission.MANAGE_THREADS,
        Permission.MANAGE_MESSAGES, Permission.MANAGE_NICKNAMES, Permission.BAN_MEMBERS,
        Permission.KICK_MEMBERS, Permission.MODERATE_MEMBERS, Permission.MENTION_EVERYONE,
    ],
)  # fmt: skip
def test_moderator_and_admin_powers_are_refused(permission: Permission) -> None:
    with pytest.raises(InvalidInput, match="moderator or admin powers"):
        check_new_role(RoleFacts(5, 1, permissions=int(permission)), caller=MANAGER,
                       bot_top_position=20)  # fmt: skip


def test_member_perks_are_fine() -> None:
    perks = Permission.SEND_MESSAGES | Permission.ATTACH_FILES | Permission.CREATE_EVENTS
    check_new_role(RoleFacts(5, 1, permissions=int(perks)), caller=MANAGER, bot_top_position=20)


def test_a_role_level_with_the_callers_top_role_is_refused() -> None:
    with pytest.raises(NotAllowed, match="above your highest role"):
        check_new_role(RoleFacts(5, 10), caller=MANAGER, bot_top_position=20)


def test_the_guild_owner_may_pick_any_role_below_the_bot() -> None:
    owner = Caller(1, is_guild_owner=True)
    check_new_role(RoleFacts(5, 19), caller=owner, bot_top_position=20)
    with pytest.raises(InvalidInput, match="above my role"):
        check_new_role(RoleFacts(5, 20), caller=owner, bot_top_position=20)


def test_managed_roles_and_everyone_are_never_handed_out() -> None:
    assert hand_out_problem(RoleFacts(5, 1, managed=True)) is not None
    assert hand_out_problem(RoleFacts(5, 0, is_everyone=True)) is not None
