"""The interaction kinds: the groups the metrics read are made of declared kinds."""

from __future__ import annotations

from bot.core.kinds import ABSENT, ACTIVE, COMMUNICATION, MEMBERSHIP, PAID, Kind


def test_communication_kinds_are_active_kinds() -> None:
    assert COMMUNICATION <= ACTIVE


def test_membership_and_paid_kinds_never_count_as_activity() -> None:
    assert not ACTIVE & {*MEMBERSHIP, *PAID}


def test_kinds_compare_equal_to_the_stored_strings() -> None:
    stored: str = "paid_start"  # as read back from the database: a plain str
    assert stored == Kind.PAID_START and {"leave"} <= ABSENT
