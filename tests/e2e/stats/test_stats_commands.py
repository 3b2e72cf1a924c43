"""/stats for owners through the real bot, and the weekly post in the owners' channel."""

from __future__ import annotations

from bot.services.stats import IsoWeek, StatsService
from cogs.stats.commands import REFUSAL
from sandbox.community import Community
from tests.e2e.helpers import eventually_logged

PNG = b"\x89PNG\r\n\x1a\n"
CHARTS = ["daily-active.png", "cohort-retention.png", "top-content.png"]


def this_week(world: Community) -> str:
    return str(IsoWeek.containing(world.clock.now().date()))


async def chatter(world: Community) -> None:
    alice = await world.guild.join("alice")
    bob = await world.guild.join("bob")
    first = await alice.say(world.channel("general"), "hello")
    await bob.say(world.channel("general"), "hi!", reply_to=first)
    await eventually_logged(world, user_id=bob.id, kind="reply")


async def test_members_without_owner_rights_are_refused_privately(community: Community) -> None:
    alice = await community.guild.join("alice")

    for command in ("/stats week", "/stats retention", "/stats content", "/stats export"):
        reply = await alice.run(command)
        assert reply.ephemeral, command
        assert reply.content == REFUSAL, command
        assert reply.files == [] and reply.embeds == []


async def test_owners_role_without_manage_server_may_read_stats(community: Community) -> None:
    owners = community.guild.role("Owner")
    owners.permissions = 0  # only the configured role, no Manage Server
    carol = await community.guild.join("carol")
    await community.guild.give_role(carol, owners)

    reply = await carol.run("/stats retention")

    assert reply.ephemeral
    assert reply.embeds[0]["title"].startswith("Cohort retention")
    assert [f.filename for f in reply.files] == ["cohort-retention.png"]


async def test_stats_week_shows_the_headline_embed_and_three_charts(community: Community) -> None:
    await chatter(community)
    # The owner is active already, so whether their own /stats is logged in time or not
    # cannot change WAU.
    await community.owner.say(community.channel("general"), "welcome!")
    await eventually_logged(community, user_id=community.owner.id, kind="message")

    reply = await community.owner.run("/stats week", week=this_week(community))

    assert reply.ephemeral
    main = reply.embeds[0]
    assert main["title"] == f"📊 Weekly report — {this_week(community)}"
    fields = {field["name"]: field["value"] for field in main["fields"]}
    assert "WAU **3**" in fields["📈 Active members"]
    assert "**3**" in fields["👥 Members"]  # alice, bob, and the owner from before the bot
    assert "docs/metrics.md" in main["footer"]["text"]
    assert main["image"]["url"] == "attachment://daily-active.png"
    assert [f.filename for f in reply.files] == CHARTS
    assert all(f.data.startswith(PNG) and f.size > 10_000 for f in reply.files)


async def test_a_malformed_week_gets_a_private_explanation(community: Community) -> None:
    reply = await community.owner.run("/stats week", week="last week")

    assert reply.ephemeral and "write it like 2026-W47" in reply.content


async def test_stats_export_attaches_a_csv(community: Community) -> None:
    await chatter(community)

    reply = await community.owner.run("/stats export", weeks=3)

    assert reply.ephemeral
    [attachment] = reply.files
    assert attachment.filename.endswith(".csv")
    lines = attachment.data.decode().splitlines()
    assert lines[0].startswith("week,members_start,members_end")
    assert len(lines) == 4


async def test_weekly_post_lands_in_the_owners_channel_with_its_charts(
    community: Community,
) -> None:
    await chatter(community)
    owners = community.channel("owners")

    outcome = await community.service(StatsService).post_due(community.guild.id)

    assert outcome is not None and outcome.status == "posted"
    await community.discord.wait_for(lambda: owners.messages)
    [post] = owners.messages
    assert post.embeds[0]["title"].startswith("📊 Weekly report")
    assert [e.get("title") for e in post.embeds[1:]] == ["Cohort retention", "Top content"]
    assert sorted(a.filename for a in post.attachments) == sorted(CHARTS)
    assert all(a.data.startswith(PNG) for a in post.attachments)
    again = await community.service(StatsService).post_due(community.guild.id)
    assert again is not None and again.status == "already_posted"
    assert len(owners.messages) == 1
