"""`/setup tiers` input: bounded, checked before any write, so a refusal stores nothing."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.access import Permission
from bot.core.errors import DomainError, InvalidInput
from bot.core.ports import RoleFacts
from bot.services.billing.policy import (
    PRICE_ID_MAX,
    TIER_KEY_MAX,
    TIER_NAME_MAX,
    checked_tier_change,
)
from storage.audit import queries as audit
from storage.billing import queries
from storage.billing.models import TierKind
from tests.services.billing.support import BOT_TOP, GUILD, MANAGER, Billing, harmless_role

Stored = tuple[str, str, str, int, TierKind, bool]


async def snapshot(billing: Billing) -> tuple[list[Stored], int]:
    """Every tier as stored, and the number of `tiers.set` audit rows."""
    async with billing.db.read() as session:
        rows = await queries.tiers(session, GUILD, enabled_only=False)
        audits = await audit.audit_entries(session, GUILD)
    tiers = [(t.key, t.name, t.stripe_price_id, t.role_id, t.kind, t.enabled) for t in rows]
    return tiers, sum(1 for a in audits if a.action == "tiers.set")


async def test_a_3000_character_name_is_refused_before_anything_is_stored(
    billing: Billing,
) -> None:
    before = await snapshot(billing)
    with pytest.raises(InvalidInput, match="1 to 100 characters"):
        await billing.service.set_tier(GUILD, MANAGER, "team", name="N" * 3000,
                                       price_id="price_team", role=harmless_role(333),
                                       bot_top_position=BOT_TOP)  # fmt: skip
    assert await snapshot(billing) == before


async def test_a_name_on_several_lines_is_refused(billing: Billing) -> None:
    with pytest.raises(InvalidInput):
        checked_tier_change("team", name="Team\u2028x\u0000", price_id=None, kind=None)


def test_a_price_id_with_markdown_is_refused_and_not_echoed_raw() -> None:
    with pytest.raises(InvalidInput) as refused:
        checked_tier_change("team", name=None, price_id="price_`@everyone`" + "x" * 500, kind=None)
    assert "@everyone" not in refused.value.user_message
    assert len(refused.value.user_message) < 300


keys = st.one_of(st.text(max_size=40), st.from_regex(r"[a-z0-9][a-z0-9_-]{0,40}", fullmatch=True))
names = st.one_of(st.none(), st.text(max_size=150), st.integers(0, 3000).map(lambda n: "N" * n))
price_ids = st.one_of(
    st.none(), st.text(max_size=120), st.from_regex(r"price_[A-Za-z0-9_]{0,110}", fullmatch=True)
)
roles = st.one_of(
    st.none(),
    st.builds(RoleFacts, id=st.sampled_from([333, 334]), position=st.integers(0, 60),
              permissions=st.sampled_from([0, int(Permission.ADMINISTRATOR),
                                           int(Permission.SEND_MESSAGES)])),
)  # fmt: skip


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    key=keys,
    name=names,
    price_id=price_ids,
    role=roles,
    kind=st.sampled_from([None, "subscription", "one_time", "monthly"]),
)
async def test_setup_either_stores_bounded_values_or_nothing(
    billing: Billing,
    key: str,
    name: str | None,
    price_id: str | None,
    role: RoleFacts | None,
    kind: str | None,
) -> None:
    before = await snapshot(billing)
    try:
        view = await billing.service.set_tier(GUILD, MANAGER, key, name=name, price_id=price_id,
                                              role=role, bot_top_position=BOT_TOP, kind=kind,
                                              enabled=None)  # fmt: skip
    except DomainError as refusal:
        assert await snapshot(billing) == before
        assert len(refusal.user_message) <= 1000
        return
    tiers, audits = await snapshot(billing)
    assert audits == before[1] + 1
    assert 1 <= len(view.key) <= TIER_KEY_MAX and 1 <= len(view.name) <= TIER_NAME_MAX
    assert len(view.stripe_price_id) <= PRICE_ID_MAX and view.kind in ("subscription", "one_time")
    assert all(len(t[1]) <= TIER_NAME_MAX for t in tiers)
