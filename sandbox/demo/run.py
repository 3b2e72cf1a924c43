"""`lyceum demo`: the real bot against local Discord and Stripe, a past, a live script, a report."""

from __future__ import annotations

import logging
import shutil
import time
from pathlib import Path

from bot.services.importer.service import DceImporter
from bot.services.stats import StatsService
from sandbox.community import Community, running_community
from sandbox.demo.clock import TravellingClock
from sandbox.demo.drops_scene import play_drops_scene
from sandbox.demo.history import History, generate_history
from sandbox.demo.live import play_live_script
from sandbox.demo.onboarding import onboard_newcomers, set_up_onboarding, show_funnel
from sandbox.demo.payments import replay_payments
from sandbox.demo.points import play_points_scene, prepare_points
from sandbox.demo.qa import play_qa_scene
from sandbox.demo.report import post_weekly_report
from sandbox.demo.transcript import Transcript


def fresh_data_dir(data_dir: str) -> Path:
    """Empty (or create) the demo's data folder."""
    root = Path(data_dir)
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    return root


async def _import_history(world: Community, history: History, transcript: Transcript) -> None:
    importer = DceImporter(world.db, world.service(StatsService))
    started = time.perf_counter()
    results = await importer.import_files(world.guild.id, history.files)
    elapsed = time.perf_counter() - started
    failed = [r for r in results if r.error]
    if failed:
        raise RuntimeError(f"history import failed: {failed[0].error}")
    transcript.say(
        f"lyceum import dce: {sum(r.messages for r in results):,} messages → "
        f"{sum(r.added for r in results):,} interactions, {sum(r.skipped_bots for r in results)} "
        f"bot messages skipped ({elapsed:.2f}s)"
    )


async def run_demo(root: Path) -> int:
    """Play the whole story and print it; exit code 0 when everything worked."""
    logging.getLogger().setLevel(logging.WARNING)
    logging.getLogger("discord").setLevel(logging.ERROR)  # voice-library notices, not ours
    transcript = Transcript()
    transcript.title("Lyceum demo — the real bot on a local Discord and a local Stripe, offline")
    transcript.detail(f"Everything it writes goes to {root}/ (SQLite database, config, charts).")
    clock = TravellingClock()
    async with running_community(root, clock=clock) as world:
        transcript.say(
            f"bot connected to the Discord stand-in ({world.discord.api_base}), "
            f"web server at {world.app.web_url}, Stripe stand-in at {world.stripe.api_base}"
        )

        transcript.section("The past: eight weeks of history")
        history = generate_history(root / "history", world.guild.id, clock.now())
        transcript.say(
            f"generated DiscordChatExporter exports of #general and #help: "
            f"{history.messages:,} messages, {len(history.members)} members, "
            f"{history.joins} join messages, {history.start:%Y-%m-%d} → {history.end:%Y-%m-%d}"
        )
        await _import_history(world, history, transcript)
        replay = await replay_payments(world, history.payments, clock, history.end)
        transcript.say(
            f"replayed the past's payments through Stripe Checkout and signed webhooks: "
            f"{replay.purchases} purchases, {replay.renewals} renewals, "
            f"{replay.cancellations} cancellations ({replay.webhooks} webhook events)"
        )

        transcript.section("Live: newcomers agree to the rules, pick interests, are welcomed")
        await set_up_onboarding(world, transcript)
        await onboard_newcomers(world, transcript)

        transcript.section("Live: people arrive, talk, and one of them pays")
        await play_live_script(world, transcript)

        transcript.section("Q&A: ask well, duplicates first, answer, solve")
        await prepare_points(world, transcript)
        await play_qa_scene(world, transcript)
        transcript.section("Points and the leaderboard")
        await play_points_scene(world, transcript)
        transcript.section("A content drop: scheduled, posted, opened, sold, discussed")
        await play_drops_scene(world, clock, transcript)

        transcript.section("The weekly report")
        await post_weekly_report(world, root, transcript)
        await show_funnel(world, transcript)

    transcript.say("done; the bot shut down cleanly")
    transcript.detail("Go on exploring what the bot stored:")
    transcript.detail(
        f"  .venv/bin/lyceum stats --config {world.config_path} --guild {world.guild.id}"
    )
    transcript.detail(
        f"  .venv/bin/lyceum entitlements --config {world.config_path} --guild {world.guild.id}"
    )
    return 0
