"""Turning onboarding results into Discord text and views (no rules here)."""

from __future__ import annotations

import discord

from bot.core.text import t
from bot.services.onboarding import AgreeResult, OnboardingView, ProfileView


def _when(moment: object) -> str:
    return discord.utils.format_dt(moment, "D") if moment is not None else "—"  # type: ignore[arg-type]


def plain(text: str) -> str:
    """Stored text shown inert (no markdown, no mentions)."""
    return discord.utils.escape_mentions(discord.utils.escape_markdown(text))


def agreed_text(result: AgreeResult) -> str:
    """The private answer to "I agree"."""
    head = t("Thanks, you're in!") if result.newly_member else t("You have already agreed.")
    if result.topics:
        return head + " " + t("Pick the topics you care about below.")
    return head


def interests_text(chosen: tuple[str, ...]) -> str:
    """The private answer to picking interests."""
    if not chosen:
        return t("No interests picked; you can choose later with /profile interests.")
    return t("Your interests: {keys}", keys=", ".join(f"`{key}`" for key in chosen))


def start_text(needs_agreement: bool, has_topics: bool) -> str:
    """What `/start` says above the components."""
    if needs_agreement:
        return t('Read the rules, then click "I agree" to get in.')
    if has_topics:
        return t("You're in. Pick or change your interests below.")
    return t("You're all set: nothing left to do.")


def profile_text(view: ProfileView) -> str:
    """The member's own status."""
    interests = ", ".join(f"`{key}`" for key in view.interests) or t("none yet")
    return "\n".join(
        line
        for line in (
            t("Joined: {when}", when=_when(view.first_seen_at)),
            t("Member since: {when}", when=_when(view.onboarded_at))
            if view.onboarded_at
            else t("Not through the rules yet: run /start."),
            t("Interests: {interests}", interests=interests),
            t("Tier: {tiers}", tiers=", ".join(plain(n) for n in view.tiers) or t("free"))
            if view.tiers is not None
            else "",
            t("Points: {points} · level {level}", points=view.points, level=view.level)
            if view.level is not None and view.points is not None
            else "",
            t("Direct messages: {state}", state=t("off") if view.dms_off else t("on")),
        )
        if line
    )


def dms_text(allowed: bool) -> str:
    """The private answer to `/profile dms`."""
    if allowed:
        return t("Direct messages from Lyceum are on again.")
    return t("Done: Lyceum will not send you direct messages. /profile dms on undoes it.")


def setup_text(view: OnboardingView) -> str:
    """`/setup show`: the guild's onboarding settings."""
    role = f"<@&{view.member_role_id}>" if view.member_role_id else t("none")
    channel = f"<#{view.welcome_channel_id}>" if view.welcome_channel_id else t("none")
    topics = "\n".join(
        f"- `{topic.key}` {plain(topic.emoji)} **{plain(topic.label)}** → <@&{topic.role_id}>"
        for topic in view.topics
    ) or t("none")
    campaigns = "\n".join(
        f"- `{plain(code)}` → **{plain(name)}**" for code, name in view.campaigns
    ) or t("none")
    return "\n".join(
        (
            t("Lyceum's rules gate: {state}", state=t("on") if view.gate_enabled else t("off")),
            t("Member role: {role}", role=role),
            t("Welcome channel: {channel}", channel=channel),
            t("Welcome text: {text}", text=plain(view.welcome_text) or t("the default")),
            t("Welcome DM: {state}", state=t("on") if view.welcome_dm else t("off")),
            t("Topics:\n{topics}", topics=topics),
            t("Campaigns:\n{campaigns}", campaigns=campaigns),
        )
    )
