"""Turning Q&A results into Discord text (no rules here)."""

from __future__ import annotations

import discord

from bot.core.text import t
from bot.services.qa.views import Duplicates, MarkOutcome, Posted, QuestionView, Refused

STATUS_ICONS = {"open": "❔", "answered": "💬", "solved": "✅", "closed": "🔒"}


def plain(text: str) -> str:
    """Typed text shown inert (no markdown, no mentions)."""
    return discord.utils.escape_mentions(discord.utils.escape_markdown(text))


def refused_text(refused: Refused) -> str:
    """Why the question was not posted, and how to fix it."""
    reasons = "\n".join(f"- {reason}" for reason in refused.reasons)
    return t(
        "Your question is not posted yet:\n{reasons}\nClick **Edit my question** to fix it; "
        "what you typed is kept.",
        reasons=reasons,
    )


def duplicates_text(found: Duplicates) -> str:
    """The earlier questions that may answer this one."""
    lines = [t("Before you post: these earlier questions look like yours.")]
    for number, candidate in enumerate(found.candidates, start=1):
        question = candidate.question
        words = ", ".join(f"`{word}`" for word in candidate.matched)
        state = t("solved") if question.status == "solved" else question.status
        lines.append(
            t(
                "**{n}.** {icon} {title} ({state}) — matched: {words}\n{link}",
                n=number,
                icon=STATUS_ICONS.get(question.status, ""),
                title=plain(question.title),
                state=state,
                words=words,
                link=question.link,
            )
        )
    lines.append(t('If one answers it, click "This solved it"; otherwise click **Post anyway**.'))
    return "\n".join(lines)


def posted_text(posted: Posted) -> str:
    """The question is up."""
    return t("Your question is up: {link}", link=posted.question.link)


def solved_it_text(question: QuestionView) -> str:
    """After "This solved it"."""
    return t("Glad it helped! Nothing was posted. The answer: {link}", link=question.link)


def mark_text(outcome: MarkOutcome) -> str:
    """What "Mark as answer" (or the asker's confirmation) did."""
    if outcome.state == "accepted":
        return t("Marked as the answer: {link}", link=outcome.answer_link)
    if outcome.state == "already":
        return t("That reply is already the accepted answer.")
    if outcome.state == "pending":
        return t("Thanks! The asker was asked to confirm that this answer solved it.")
    return t("Noted: that reply is not marked as the answer.")


def question_line(question: QuestionView) -> str:
    """One question in a list."""
    tags = " ".join(f"`{tag}`" for tag in question.tags)
    when = discord.utils.format_dt(question.created_at, "R")
    return t(
        "{icon} **#{id}** {title} {tags} · {when} · {link}",
        icon=STATUS_ICONS.get(question.status, ""),
        id=question.id,
        title=plain(question.title),
        tags=tags,
        when=when,
        link=question.link,
    )


def queue_text(questions: list[QuestionView], heading: str) -> str:
    """A list of questions under a heading."""
    if not questions:
        return t("{heading}\nNothing here.", heading=heading)
    return "\n".join([heading, *(question_line(q) for q in questions)])


def closed_text(question: QuestionView) -> str:
    """A moderator's close or reopen went through."""
    if question.status == "closed":
        return t("Question #{id} is closed ({reason}).", id=question.id,
                 reason=question.close_reason or "")  # fmt: skip
    return t("Question #{id} is {status} again.", id=question.id, status=question.status)
