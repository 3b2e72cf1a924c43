"""What `/privacy` says (pure functions of the service's plain results)."""

from __future__ import annotations

from bot.core.text import nt, t
from bot.services.privacy import Deleted, PrivacyInfo


def server_only_text() -> str:
    """Privacy commands act on one server's data."""
    return t("Run this inside the server whose data you mean.")


def _days(days: int) -> str:
    if not days:
        return t("for as long as the bot runs here")
    return nt("for {count} day", "for {count} days", days, count=days)


def info_text(info: PrivacyInfo) -> str:
    """What is kept, why, for how long, and how to get it or delete it."""
    policy = info.policy_url or t("docs/privacy.md (ask the server's owner for its link)")
    lines = [
        t("**Your data in this server**"),
        t(
            "Lyceum records what you do here (messages, reactions, commands, joins...) as "
            "counts with times, never what you write. It keeps what you give it: your "
            "/ask questions, answers marked with \"Mark as answer\", your interests, and "
            "the records of what you paid for."
        ),
        t("Raw activity is kept {period}; the weekly numbers made from it stay.",
          period=_days(info.interactions_days)),
        t("After you leave, your data is kept {period}.",
          period=_days(info.forget_left_after_days)),
        t("`/privacy export` sends you all of it as a file; `/privacy delete` erases it."),
        t("The full policy: {policy}", policy=policy),
    ]  # fmt: skip
    if info.opted_out:
        lines.append(t("You asked not to be recorded: nothing new is recorded about you."))
    if not info.deletion_available:
        lines.append(t("Deletion is not set up on this server yet; please tell a moderator."))
    return "\n".join(lines)


def export_text(filename: str) -> str:
    """The note sent with the export file."""
    return t(
        "Here is everything Lyceum stores about you in this server ({filename}). "
        "Only you can see this message.",
        filename=filename,
    )


def delete_prompt(stop_recording: bool) -> str:
    """The question before anything is deleted."""
    lines = [
        t("**Delete your data in this server?**"),
        t(
            "Your member record, interests, activity log and role history are erased. "
            "The community's numbers stay exact: the rows they are made of keep a "
            "stand-in instead of your id, which cannot be traced back to you without the "
            "bot's secret key."
        ),
        t(
            "Kept, with the stand-in: records of payments (Stripe customer and "
            "subscription ids: the law requires them) and moderators' audit entries."
        ),
    ]
    if stop_recording:
        lines.append(t("From now on nothing new is recorded about you in this server."))
    else:
        lines.append(
            t(
                "If you stay, the bot records you again from now on, as a new member. Run "
                "`/privacy delete stop_recording:True` to stop that too."
            )
        )
    lines.append(t("This cannot be undone. Press the button to confirm, or dismiss this."))
    return "\n".join(lines)


def deleted_text(deleted: Deleted) -> str:
    """What the deletion did."""
    text = t("Done: your data was deleted ({count} records erased or given the stand-in).",
             count=deleted.rows)  # fmt: skip
    if deleted.stop_recording:
        text += "\n" + t("Nothing new will be recorded about you in this server.")
    return text
