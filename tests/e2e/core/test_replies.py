"""Every command answers, within Discord's limits, whatever a member types into it."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sandbox.community import Community
from sandbox.discord import Command, Person, Reply

LONG = "x" * 2000
STRING, INTEGER, USER = 3, 4, 6
HOSTILE = ["@everyone", "<@&1>", "**bold**", "`code`", "||spoiler||", "# head", "\n", "é", "🙂"]


def assert_answered_privately(reply: Reply) -> None:
    assert reply.settled() and reply.ephemeral, reply
    text = reply.content
    assert 0 < len(text) <= 2000, reply
    assert "something went wrong" not in text, reply


async def test_subscribe_to_a_2000_character_tier_is_refused_clearly(community: Community) -> None:
    alice = await community.guild.join("alice")
    reply = await alice.run("/subscribe", tier=LONG)
    assert_answered_privately(reply)
    assert "2,000" in reply.content and LONG not in reply.content


async def test_grant_until_a_2000_character_date_is_refused_clearly(community: Community) -> None:
    bob = await community.guild.join("bob")
    mod = await community.moderator()
    reply = await mod.run("/membership grant", member=bob, tier="pro", until=LONG)
    assert_answered_privately(reply)
    assert not bob.has_role("Pro")


async def test_setup_tiers_with_a_2000_character_price_id_is_refused_clearly(
    community: Community,
) -> None:
    reply = await community.owner.run("/setup tiers", key="team", price_id=LONG)
    assert_answered_privately(reply)


async def test_stats_week_of_2000_characters_is_refused_clearly(community: Community) -> None:
    reply = await community.owner.run("/stats week", week=LONG)
    assert_answered_privately(reply)


async def test_a_bad_end_date_is_echoed_short_and_inert(community: Community) -> None:
    bob = await community.guild.join("bob")
    mod = await community.moderator()
    reply = await mod.run("/membership grant", member=bob, tier="pro", until="@everyone **x**")
    assert_answered_privately(reply)
    assert "@everyone" not in reply.content and "**x**" not in reply.content


Found = tuple[str, dict[str, Any], list[dict[str, Any]]]


def string_options(command: Command) -> list[Found]:
    """("/name sub", option, its siblings) for every free-text option, subcommands included."""
    found = []

    def walk(path: str, options: list[dict[str, Any]]) -> None:
        for option in options:
            if option["type"] in (1, 2):
                walk(f"{path} {option['name']}", option.get("options") or [])
            elif option["type"] == STRING and not option.get("choices"):
                found.append((path, option, options))

    walk(f"/{command.name}", command.options)
    return found


def registered(world: Community) -> list[Command]:
    return [c for scope in world.discord.state.commands.values() for c in scope if c.type == 1]


async def test_every_string_option_declares_its_length_to_discord(community: Community) -> None:
    await community.owner.run("/help")  # the commands are registered by now
    options = [item for c in registered(community) for item in string_options(c)]
    assert options
    for path, option, _ in options:
        assert 1 <= option.get("min_length", 0) <= option.get("max_length", 6001) <= 100, (
            path,
            option,
        )


async def fuzzy_member(world: Community) -> Person:
    """A plain member whom an admin let use every command (so the bot's own checks answer)."""
    if any(m.user.username == "fuzzy" for m in world.guild.members):
        return world.guild.person("fuzzy")
    member = await world.guild.join("fuzzy")
    role = world.guild.create_role("Fuzzers")
    await world.guild.give_role(member, role)
    for command in registered(world):
        world.guild.allow_command(command.name, role)
    return member


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
async def test_any_text_in_any_string_option_gets_a_private_answer(
    community: Community, data: st.DataObject
) -> None:
    """Owner and member alike: every command with a string option, hostile text in it."""
    await community.owner.run("/help")
    member = await fuzzy_member(community)
    options = [item for c in registered(community) for item in string_options(c)]
    path, option, siblings = data.draw(st.sampled_from(options), label="option")
    text = data.draw(
        st.one_of(
            st.text(min_size=1, max_size=3000),
            st.lists(st.sampled_from(HOSTILE), min_size=1, max_size=400).map("".join),
        ),
        label="text",
    )
    who: Person = data.draw(st.sampled_from([community.owner, member]), label="who")
    filler = {STRING: "pro", INTEGER: 1, USER: community.owner}
    values: dict[str, Any] = {
        spec["name"]: filler[spec["type"]] for spec in siblings if spec.get("required")
    }
    values[option["name"]] = text
    reply = await who.run(path, **values)
    if reply.modal is not None:
        return  # a form is a private answer too: /content add opens one when its options fit
    assert reply.settled() and reply.ephemeral, reply
    for message in [reply.message, *reply.followups]:
        assert message is not None and len(message.content) <= 2000
        assert "@everyone" not in message.content
