"""The demo's onboarding scenes: a campaign invite, the rules gate, interests, the welcome;
then this week's funnel and sources as the owners read them."""

from __future__ import annotations

from functools import partial

from bot.services.onboarding import OnboardingService
from bot.services.stats import StatsService
from bot.services.stats.funnel import steps_text
from bot.services.stats.sources import source_lines
from sandbox.community import Community
from sandbox.demo.transcript import Transcript
from sandbox.discord import Perm, Person
from storage.activity import members

TOPICS = (("python", "Python", "🐍"), ("career", "Career", "💼"))


async def _source(world: Community, person: Person) -> str:
    async def stored() -> str | None:
        async with world.db.read() as session:
            row = await members.get(session, world.guild.id, person.id)
        return row.source if row is not None else None

    return await world.discord.wait_for(stored, timeout=10)


def _all_roles(person: Person, picks: list[str]) -> bool:
    return person.has_role("Member") and all(person.has_role(key.title()) for key in picks)


async def set_up_onboarding(world: Community, transcript: Transcript) -> None:
    """The owner turns the gate on, offers topics, names a campaign invite."""
    guild, owner = world.guild, world.owner
    guild.edit_role(guild.bot_role, permissions=Perm.BOT | Perm.MANAGE_GUILD)
    bot_guild = world.app.bot.get_guild(guild.id)
    await world.discord.wait_for(
        lambda: bot_guild is not None and bot_guild.me.guild_permissions.manage_guild
    )
    await world.service(OnboardingService).invites.refresh(guild.id)
    transcript.say("the owner gave Lyceum Manage Server: it now reads invite use counts")
    for key, label, emoji in TOPICS:
        role = guild.create_role(label)
        await owner.run("/setup topic", key=key, label=label, emoji=emoji, role=role)
    guild.create_invite(code="spring-news")
    await world.discord.wait_for_event("INVITE_CREATE", lambda d: d["code"] == "spring-news")
    await owner.run("/setup invite", code="spring-news", campaign="Spring newsletter")
    await owner.run("/setup onboarding", gate=True, welcome_dm=True)
    show = await owner.run("/setup show")
    transcript.say("the owner set onboarding up (/setup topic, /setup invite, /setup onboarding):")
    transcript.detail(show.content)


async def onboard_newcomers(world: Community, transcript: Transcript) -> None:
    """Three people arrive through the campaign link; two get in, one stops at the rules."""
    guild = world.guild
    gate = next(m for m in world.channel("welcome").messages if "I agree" in str(m.components))
    erin = await guild.join("erin", invite="spring-news")
    transcript.say(
        f"erin joined through discord.gg/spring-news → source {await _source(world, erin)!r}"
    )
    frank = await guild.join("frank", invite="spring-news")
    await _source(world, frank)
    gina = await guild.join("gina", invite="spring-news")
    await _source(world, gina)
    transcript.say("frank and gina joined through the same link; no welcome yet: not in yet")
    interests = f"lyceum:onboarding:interests:{guild.id}"
    for person, picks in ((erin, ["python", "career"]), (frank, ["python"])):
        agreed = await person.click(gate, "I agree")
        chosen = await person.select(agreed, interests, picks)
        await world.discord.wait_for(partial(_all_roles, person, picks), timeout=10)
        transcript.say(
            f'{person.user.username} clicked "I agree" → {agreed.content!r}; picked '
            f"{', '.join(picks)} → {chosen.content!r}; roles: "
            + ", ".join(r.name for r in person.roles)
        )
    welcomes = [m.content for m in world.channel("welcome").messages if "Welcome" in m.content]
    transcript.say(f"#welcome, posted once each was in: {' | '.join(welcomes)}")
    await world.discord.wait_for(lambda: erin.dms, timeout=10)
    transcript.say(f"erin's welcome DM: {erin.dms[0].content.splitlines()[0]!r} (+ commands)")
    profile = await erin.run("/profile show")
    transcript.say("erin ran /profile show → " + " / ".join(profile.content.splitlines()))
    transcript.detail("gina never clicked: the funnel below shows where she stopped")
    await erin.say(world.channel("general"), "Hello everyone, glad to be here!")


async def show_funnel(world: Community, transcript: Transcript) -> None:
    """This week's onboarding funnel and sources, so far (the weekly post shows them too)."""
    stats = world.service(StatsService)
    week = stats.calendar(world.guild.id).week_of(world.clock.now())
    log = world.interaction_log
    await world.discord.wait_for(lambda: log.pending == 0, timeout=10)
    report = await stats.weekly_report(world.guild.id, week)
    transcript.say(f"this week ({week}, so far), as `lyceum stats --json` funnel shows it:")
    transcript.detail(steps_text(report.funnel.steps))
    for line in source_lines(report.funnel.sources):
        transcript.detail(line)
