"""The role outbox: retries, permission problems, members who are not there yet."""

from __future__ import annotations

from datetime import timedelta

from bot.core.ports import MissingPermissions, TemporarilyUnavailable
from bot.services.roles.outbox import Backoff
from storage.notices import queries as notices
from storage.roles import queries as role_changes
from tests.services.billing.support import (
    GUILD,
    MOD_LOG,
    PRO_ROLE,
    Billing,
    buy,
    eventually,
)

USER = 300
OTHER_GUILD = 2002


async def test_discord_5xx_and_429_on_role_add_are_retried_until_applied(billing: Billing) -> None:
    billing.discord.join(USER)
    billing.discord.fail_next(
        TemporarilyUnavailable("Discord answered 503"),
        TemporarilyUnavailable("Discord answered 429"),
        TemporarilyUnavailable("Discord answered 502"),
    )
    await buy(billing, USER)
    await billing.stripe.webhooks.drain()
    await eventually(lambda: PRO_ROLE in billing.discord.roles_of(USER))
    assert [call for call in billing.discord.calls if call[0] == "add"] == [
        ("add", USER, PRO_ROLE)
    ] * 4


async def test_missing_permission_is_reported_once_and_applied_when_fixed(
    billing: Billing,
) -> None:
    billing.discord.join(USER)
    billing.discord.fail_next(*[MissingPermissions("Missing Permissions")] * 3)
    await buy(billing, USER)
    await billing.stripe.webhooks.drain()
    await eventually(lambda: PRO_ROLE in billing.discord.roles_of(USER))
    await eventually(lambda: billing.discord.posts)
    reports = [text for channel, text in billing.discord.posts if "permission" in text]
    assert len(reports) == 1 and billing.discord.posts[0][0] == MOD_LOG
    assert f"<@&{PRO_ROLE}>" in reports[0]


async def test_many_members_stuck_on_one_role_make_one_moderator_notice(
    billing: Billing,
) -> None:
    users = [USER, USER + 1, USER + 2]
    async with billing.db.transaction() as session:
        for user in users:
            billing.discord.join(user)
            await role_changes.queue_role_change(
                session, GUILD, user, PRO_ROLE, "add", reason="test", at=billing.clock.now()
            )
    billing.discord.fail_next(*[MissingPermissions("Missing Permissions")] * 3)

    await billing.service.outbox.run_once()
    await eventually(lambda: billing.discord.posts)
    await billing.service.outbox.run_once()

    reports = [text for _, text in billing.discord.posts if "permission" in text]
    assert len(reports) == 1


async def test_payment_before_joining_waits_and_applies_on_join(billing: Billing) -> None:
    await buy(billing, USER)
    await billing.settle()
    async with billing.db.read() as session:
        [change] = await role_changes.unfinished_role_changes(session, GUILD, USER)
    assert change.status == "waiting_member"

    billing.discord.join(USER)
    await billing.service.member_joined(GUILD, USER)
    await eventually(lambda: PRO_ROLE in billing.discord.roles_of(USER))


async def test_leaving_and_rejoining_gives_the_role_back(billing: Billing) -> None:
    billing.discord.join(USER)
    await buy(billing, USER)
    await billing.settle()
    assert PRO_ROLE in billing.discord.roles_of(USER)
    billing.discord.leave(USER)
    billing.discord.join(USER)  # Discord strips roles on leave
    await billing.service.member_joined(GUILD, USER)
    await eventually(lambda: PRO_ROLE in billing.discord.roles_of(USER))


async def test_role_given_by_hand_stays_when_the_subscription_ends(billing: Billing) -> None:
    billing.discord.join(USER)
    billing.discord.members[(GUILD, USER)].add(PRO_ROLE)  # a moderator gave it earlier
    outcome = await buy(billing, USER)
    await billing.settle()
    assert outcome.subscription_id is not None
    billing.clock.advance(timedelta(minutes=5))
    await billing.stripe.cancel_now(outcome.subscription_id)
    await billing.settle()
    assert PRO_ROLE in billing.discord.roles_of(USER)
    assert not any(call[0] == "remove" for call in billing.discord.calls)


async def test_past_due_dm_to_a_member_with_closed_dms_is_not_retried(billing: Billing) -> None:
    billing.discord.join(USER)
    billing.discord.closed_dms.add(USER)
    outcome = await buy(billing, USER)
    await billing.settle()
    assert outcome.subscription_id is not None
    await billing.stripe.fail_payment(outcome.subscription_id)
    await billing.settle()
    async with billing.db.read() as session:
        assert await notices.pending_notices(session, limit=10) == []


async def test_a_hundred_stuck_role_changes_do_not_hold_up_newer_ones(billing: Billing) -> None:
    billing.service.outbox.backoff = Backoff(permission_first=600, permission_cap=600)
    billing.discord.denied_guilds.add(OTHER_GUILD)  # its bot role is below the paid roles
    async with billing.db.transaction() as session:
        for user_id in range(1, 151):
            billing.discord.join(user_id, OTHER_GUILD)
            await role_changes.queue_role_change(session, OTHER_GUILD, user_id, 999, "add",
                                           reason="paid tier", at=billing.clock.now())  # fmt: skip
    await billing.service.outbox.run_once()
    billing.discord.join(USER)
    await buy(billing, USER)
    await billing.settle()
    await eventually(lambda: PRO_ROLE in billing.discord.roles_of(USER))


async def test_a_hundred_failing_dms_do_not_hold_up_newer_notices(billing: Billing) -> None:
    billing.service.outbox.backoff = Backoff(first=600, cap=600)
    billing.discord.failing_dms.update(range(1, 151))
    async with billing.db.transaction() as session:
        for user_id in range(1, 151):
            await notices.queue_notice(session, GUILD, "dm", "hi", at=billing.clock.now(),
                                      user_id=user_id)  # fmt: skip
    await billing.service.outbox.run_once()
    async with billing.db.transaction() as session:
        await notices.queue_notice(session, GUILD, "mod_log", "news", at=billing.clock.now())
    billing.service.outbox.wake()
    await eventually(lambda: (MOD_LOG, "news") in billing.discord.posts)


async def test_role_whose_add_answer_was_lost_is_taken_away_when_access_ends(
    billing: Billing,
) -> None:
    billing.service.outbox.backoff = Backoff(first=600, cap=600)  # no retry before the cancel
    billing.discord.join(USER)
    billing.discord.lost_replies = 1
    outcome = await buy(billing, USER)
    await billing.settle()
    assert outcome.subscription_id is not None
    assert PRO_ROLE in billing.discord.roles_of(USER)  # Discord applied it; the bot never heard
    billing.clock.advance(timedelta(minutes=5))
    await billing.stripe.cancel_now(outcome.subscription_id)
    await billing.settle()
    assert PRO_ROLE not in billing.discord.roles_of(USER)
