"""The demo's weekly report: posted by the same code as the scheduled job, then read back."""

from __future__ import annotations

from pathlib import Path

from bot.services.stats import StatsService
from bot.services.stats.text import text_report
from sandbox.community import Community
from sandbox.demo.transcript import Transcript


async def post_weekly_report(world: Community, root: Path, transcript: Transcript) -> list[Path]:
    """Post the due weekly report to #owners, print it, save its charts; returns the PNGs."""
    stats = world.service(StatsService)
    owners = world.channel("owners")
    already = len(owners.messages)
    outcome = await stats.post_due(world.guild.id)
    if outcome is None or outcome.status != "posted":
        raise RuntimeError(f"the weekly report was not posted: {outcome}")
    await world.discord.wait_for(lambda: len(owners.messages) > already, timeout=10)
    posted = owners.messages[-1]
    transcript.say(f"the weekly job posted the report for {outcome.week} to #owners:")
    for embed in posted.embeds:
        transcript.embed(embed)
    saved = []
    for attachment in posted.attachments:
        path = root / attachment.filename
        path.write_bytes(attachment.data)
        saved.append(path)
    transcript.say(
        "charts attached to the post, saved as " + ", ".join(str(path) for path in saved)
    )

    owner_view = await world.owner.run("/stats week")
    transcript.say(f"the owner ran /stats week → private copy ({len(owner_view.files)} charts)")
    member_view = await world.guild.person("carol").run("/stats week")
    transcript.say(f"carol (not an owner) ran /stats week → {member_view.content!r}")

    report = await stats.weekly_report(world.guild.id, outcome.week)
    transcript.say(f"the same numbers as `lyceum stats --week {outcome.week}` prints them:")
    transcript.detail(text_report(report))
    return saved
