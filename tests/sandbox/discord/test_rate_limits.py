"""Discord's rate limits as the sandbox emulates them: buckets, headers, 429s, the global limit."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import aiohttp
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sandbox.discord import DiscordSandbox, SandboxGuild
from sandbox.discord.ratelimits import GLOBAL_LIMIT, RateLimits

if TYPE_CHECKING:
    from tests.sandbox.discord.conftest import SandboxTestBot

ADD_ROLE = "PUT /guilds/{guild_id}/members/{user_id}/roles/{role_id}"
REMOVE_ROLE = "DELETE /guilds/{guild_id}/members/{user_id}/roles/{role_id}"
SEND = "POST /channels/{channel_id}/messages"
CALLBACK = "POST /interactions/{interaction_id}/{interaction_token}/callback"
GET_USER = "GET /users/{user_id}"


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def limits(
    *, enabled: bool = True, speed: float = 1.0, global_limit: int = GLOBAL_LIMIT
) -> tuple[RateLimits, FakeClock]:
    clock = FakeClock()
    rate_limits = RateLimits(enabled=enabled, speed=speed, global_limit=global_limit, clock=clock)
    return rate_limits, clock


def role_change(guild_id: str = "1", user_id: str = "2") -> dict[str, str]:
    return {"guild_id": guild_id, "user_id": user_id, "role_id": "3"}


# -- the emulation alone -------------------------------------------------------------------


def test_member_role_bucket_counts_down_then_answers_429() -> None:
    rl, _ = limits()
    answers = [rl.admit(ADD_ROLE, role_change(user_id=str(n))) for n in range(11)]
    assert [a.headers["X-RateLimit-Remaining"] for a in answers[:10]] == [
        str(n) for n in range(9, -1, -1)
    ]
    assert all(a.headers["X-RateLimit-Limit"] == "10" for a in answers)
    assert answers[0].headers["X-RateLimit-Reset-After"] == "10.000"
    refused = answers[10]
    assert refused.refused == {
        "message": "You are being rate limited.",
        "retry_after": 10.0,
        "global": False,
    }
    assert refused.headers["X-RateLimit-Scope"] == "user"
    assert "X-RateLimit-Global" not in refused.headers


def test_add_and_remove_role_share_one_bucket_per_guild() -> None:
    rl, _ = limits()
    for _ in range(5):
        rl.admit(ADD_ROLE, role_change())
    removed = rl.admit(REMOVE_ROLE, role_change())
    other_guild = rl.admit(REMOVE_ROLE, role_change(guild_id="99"))
    assert removed.headers["X-RateLimit-Remaining"] == "4"
    assert other_guild.headers["X-RateLimit-Remaining"] == "9"
    assert rl.bucket_hash(ADD_ROLE) == rl.bucket_hash(REMOVE_ROLE) != rl.bucket_hash(SEND)


def test_message_create_is_limited_per_channel() -> None:
    rl, _ = limits()
    first = [rl.admit(SEND, {"channel_id": "10"}) for _ in range(6)]
    elsewhere = rl.admit(SEND, {"channel_id": "11"})
    assert first[4].headers["X-RateLimit-Remaining"] == "0"
    assert first[5].refused is not None
    assert elsewhere.refused is None


def test_bucket_is_full_again_when_its_window_closes() -> None:
    rl, clock = limits()
    for _ in range(5):
        rl.admit(SEND, {"channel_id": "10"})
    clock.now += 4.999
    assert rl.admit(SEND, {"channel_id": "10"}).refused is not None
    clock.now += 0.001
    assert rl.admit(SEND, {"channel_id": "10"}).headers["X-RateLimit-Remaining"] == "4"


def test_global_limit_spans_buckets_and_says_global() -> None:
    rl, _ = limits()
    answers = [rl.admit(SEND, {"channel_id": str(n)}) for n in range(51)]
    refused = answers[50]
    assert [a.refused for a in answers[:50]] == [None] * 50
    assert refused.refused is not None and refused.refused["global"] is True
    assert refused.headers["X-RateLimit-Global"] == "true"
    assert refused.headers["X-RateLimit-Scope"] == "global"
    assert rl.count("global") == 1


def test_interaction_endpoints_are_outside_the_global_limit() -> None:
    rl, _ = limits(global_limit=1)
    rl.admit(GET_USER, {"user_id": "1"})
    assert rl.admit(GET_USER, {"user_id": "1"}).refused is not None
    callback = rl.admit(CALLBACK, {"interaction_id": "5", "interaction_token": "t"})
    assert callback.refused is None


def test_speed_shortens_windows_and_retry_after() -> None:
    rl, clock = limits(speed=100.0)
    for _ in range(10):
        rl.admit(ADD_ROLE, role_change())
    refused = rl.admit(ADD_ROLE, role_change())
    assert refused.refused is not None and refused.refused["retry_after"] == 0.1
    clock.now += 0.1
    assert rl.admit(ADD_ROLE, role_change()).refused is None


def test_a_test_can_set_its_own_limit_and_scope() -> None:
    rl, _ = limits()
    rl.set(GET_USER, 1, 30.0, scope="shared")
    rl.admit(GET_USER, {"user_id": "1"})
    refused = rl.admit(GET_USER, {"user_id": "1"})
    assert refused.headers["X-RateLimit-Scope"] == "shared"
    assert refused.refused is not None and refused.refused["retry_after"] == 30.0


def test_disabled_emulation_sends_no_headers() -> None:
    rl, _ = limits(enabled=False)
    assert all(rl.admit(SEND, {"channel_id": "1"}).headers == {} for _ in range(20))


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    steps=st.lists(
        st.tuples(st.sampled_from(["1", "2"]), st.floats(min_value=0.0, max_value=3.0)),
        max_size=60,
    ),
    limit=st.integers(min_value=1, max_value=6),
    per=st.floats(min_value=0.5, max_value=5.0),
)
def test_headers_and_429s_tell_the_truth_about_each_window(
    steps: list[tuple[str, float]], limit: int, per: float
) -> None:
    rl, clock = limits(global_limit=10_000)
    rl.set(SEND, limit, per)
    window_end: dict[str, float] = {}
    admitted_in_window: dict[str, int] = {}
    for channel, pause in steps:
        clock.now += pause
        answer = rl.admit(SEND, {"channel_id": channel})
        reset_after = float(answer.headers["X-RateLimit-Reset-After"])
        if clock.now >= window_end.get(channel, 0.0):
            assert answer.refused is None  # a closed window never refuses
            window_end[channel] = clock.now + per
            admitted_in_window[channel] = 0
        assert reset_after == pytest.approx(window_end[channel] - clock.now, abs=0.0011)
        if answer.refused is None:
            admitted_in_window[channel] += 1
            assert admitted_in_window[channel] <= limit
            remaining = limit - admitted_in_window[channel]
            assert answer.headers["X-RateLimit-Remaining"] == str(remaining)
        else:
            assert admitted_in_window[channel] == limit
            assert answer.refused["retry_after"] == reset_after > 0


# -- through HTTP and the real discord.py client ---------------------------------------------


async def test_every_answer_carries_rate_limit_headers(sandbox: DiscordSandbox) -> None:
    headers = {"Authorization": f"Bot {sandbox.token}"}
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{sandbox.api_base}/api/v10/users/@me", headers=headers) as response,
    ):
        assert response.status == 200
        for name in ("Limit", "Remaining", "Reset", "Reset-After", "Bucket"):
            assert f"X-RateLimit-{name}" in response.headers


async def test_discord_py_paces_a_role_burst_without_a_single_429(
    sandbox: DiscordSandbox, guild: SandboxGuild, bot: SandboxTestBot
) -> None:
    sandbox.rate_limits.speed = 20.0  # 10 per 0.5 s
    people = [await guild.join(f"member{n}") for n in range(25)]
    role = guild.role("Member")
    await asyncio.gather(*(bot.http.add_role(guild.id, p.id, role.id) for p in people))
    calls = sandbox.calls.filter(ADD_ROLE)
    assert all(p.has_role(role) for p in people)
    assert [c.status for c in calls] == [204] * 25
    assert sandbox.rate_limits.exhausted == 2
    assert calls[-1].time - calls[0].time >= 2 * 0.5  # three windows of 10, 10 and 5


async def test_global_429_is_waited_out_by_discord_py(
    sandbox: DiscordSandbox, guild: SandboxGuild, bot: SandboxTestBot
) -> None:
    sandbox.rate_limits.global_limit, sandbox.rate_limits.global_per = 3, 0.2
    channels = [guild.create_text_channel(f"c{n}") for n in range(6)]
    await asyncio.gather(*(bot.get_partial_messageable(c.id).send("hi") for c in channels))
    assert all(len(c.messages) == 1 for c in channels)
    assert sandbox.rate_limits.count("global") >= 1
    assert any(c.limited == "global" for c in sandbox.calls.filter(SEND, status=429))


async def test_commands_are_answered_even_past_the_global_limit(
    sandbox: DiscordSandbox, guild: SandboxGuild, bot: SandboxTestBot
) -> None:
    sandbox.rate_limits.global_limit, sandbox.rate_limits.global_per = 1, 60.0
    alice = await guild.join("alice")
    for text in ("one", "two", "three"):
        assert (await alice.run("/echo", text=text)).content == text
    assert sandbox.calls.filter(CALLBACK, status=429) == []


async def test_injected_429_names_the_emulated_bucket(
    sandbox: DiscordSandbox, guild: SandboxGuild, bot: SandboxTestBot
) -> None:
    sandbox.faults.rate_limit(SEND, retry_after=0.01)
    headers = {"Authorization": f"Bot {sandbox.token}", "Content-Type": "application/json"}
    url = f"{sandbox.api_base}/api/v10/channels/{guild.channel('general').id}/messages"
    async with aiohttp.ClientSession() as session:
        async with session.post(url, headers=headers, data='{"content": "x"}') as faulted:
            assert faulted.status == 429
            bucket = faulted.headers["X-RateLimit-Bucket"]
        async with session.post(url, headers=headers, data='{"content": "x"}') as emulated:
            assert emulated.status == 200
            assert emulated.headers["X-RateLimit-Bucket"] == bucket


@pytest.mark.parametrize("limit", [0, -1])
def test_a_limit_below_one_is_refused(limit: int) -> None:
    with pytest.raises(ValueError, match="limit >= 1"):
        RateLimits().set(SEND, limit, 1.0)
