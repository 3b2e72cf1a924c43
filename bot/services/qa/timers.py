"""Nudges and timers: the database holds what fired; a periodic check fires what is due.

- answered but not marked after `answered_nudge_hours`: one ping of the asker in the thread;
- no answer after `unanswered_ping_hours`: one ping of the helpers' role for its tag;
- no activity for `inactive_close_days`: closed as `inactive`.
Each fires once per question (a unique row in `qa_nudges`, claimed before the post), so a
restart or a second check never sends it twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.core.text import t
from bot.services.qa.core import QaCore
from bot.services.qa.moderation import reason_text
from storage.qa import queries
from storage.qa.models import ANSWERED, OPEN, Question

ANSWERED_UNMARKED = "answered_unmarked"
UNANSWERED = "unanswered"
INACTIVE_CLOSE = "inactive_close"


@dataclass(frozen=True)
class Fired:
    """One timer that fired."""

    question_id: int
    kind: str


class Timers:
    """Fires the Q&A timers that are due, once each."""

    def __init__(self, core: QaCore) -> None:
        self._core = core

    async def run_due(self) -> list[Fired]:
        """Fire every due timer of every configured guild."""
        fired: list[Fired] = []
        for guild in self._core.settings.guilds:
            fired += await self.run_guild(guild.id)
        return fired

    async def run_guild(self, guild_id: int) -> list[Fired]:
        """Fire one guild's due timers."""
        core = self._core
        settings = core.qa(guild_id)
        now = core.clock.now()
        plan = (
            (INACTIVE_CLOSE, (OPEN, ANSWERED), "last_activity_at",
             timedelta(days=settings.inactive_close_days)),
            (ANSWERED_UNMARKED, (ANSWERED,), "first_answer_at",
             timedelta(hours=settings.answered_nudge_hours)),
            (UNANSWERED, (OPEN,), "created_at", timedelta(hours=settings.unanswered_ping_hours)),
        )  # fmt: skip
        fired: list[Fired] = []
        for kind, statuses, column, after in plan:
            async with core.db.transaction() as session:
                due = await queries.due(session, guild_id, statuses, column, now - after, kind)
                claimed = []
                for question in due:
                    assert question.id is not None
                    if await queries.claim_nudge(session, guild_id, question.id, kind, now):
                        claimed.append(question)
                closed = []
                if kind == INACTIVE_CLOSE:
                    closed = [core.close_in(q, "inactive") for q in claimed]
                    for question in claimed:
                        await queries.add(session, question)
            await core.publish(closed)
            for question in claimed:
                await self._announce(kind, question)
                assert question.id is not None
                fired.append(Fired(question.id, kind))
        return fired

    async def _announce(self, kind: str, question: Question) -> None:
        core = self._core
        if kind == INACTIVE_CLOSE:
            days = core.qa(question.guild_id).inactive_close_days
            await core.say(
                question.thread_id,
                t("Closed: {reason} (no activity for {days} days). A moderator can reopen it.",
                  reason=reason_text("inactive"), days=days),
            )  # fmt: skip
            await core.archive(question.thread_id)
        elif kind == ANSWERED_UNMARKED:
            await core.say(
                question.thread_id,
                t("<@{asker}>, did a reply here answer your question? If so, right-click it → "
                  "Apps → **Mark as answer**, so others find it.", asker=question.asker_id),
                ping_users=(question.asker_id,),
            )  # fmt: skip
        else:
            role_id = core.qa(question.guild_id).helper_role_for(question.tags)
            if role_id:
                await core.say(
                    question.thread_id,
                    t("<@&{role}>, this question is still waiting for an answer.", role=role_id),
                    ping_roles=(role_id,),
                )  # fmt: skip
