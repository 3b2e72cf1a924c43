"""Closing and reopening: moderators' /qa close|reopen|duplicate, askers who leave,
threads that are deleted. Every moderator action is audited."""

from __future__ import annotations

from bot.core.access import Caller
from bot.core.errors import InvalidInput
from bot.core.events import AnswerUnaccepted, DomainEvent
from bot.core.text import t
from bot.services.qa.core import QaCore, view_of
from bot.services.qa.views import QuestionView, jump_link
from storage.audit.queries import add_audit
from storage.qa import queries
from storage.qa.models import ANSWERED, CLOSED, OPEN, SOLVED

MODERATOR_REASONS = ("moderator", "off_topic", "inactive")


def reason_text(reason: str) -> str:
    """How a close reason reads in the thread."""
    return {
        "duplicate": t("a duplicate"),
        "inactive": t("inactive"),
        "asker_left": t("the asker left"),
        "deleted": t("deleted"),
        "off_topic": t("off topic"),
        "moderator": t("closed by a moderator"),
    }.get(reason, reason)


class Moderation:
    """Close with an outcome, mark as a duplicate, reopen."""

    def __init__(self, core: QaCore) -> None:
        self._core = core

    async def close(
        self, guild_id: int, caller: Caller, thread_id: int, reason: str
    ) -> QuestionView:
        """`/qa close` in a question's thread."""
        core = self._core
        core.require_moderator(guild_id, caller)
        if reason not in MODERATOR_REASONS:
            raise InvalidInput(t("Pick one of the offered reasons."))
        async with core.db.transaction() as session:
            question = await core.question_of_thread(session, guild_id, thread_id)
            event = core.close_in(question, reason)
            await queries.add(session, question)
            await add_audit(
                session, guild_id, caller.user_id, "qa.close", event.at,
                target_user_id=question.asker_id,
                details={"question_id": question.id, "reason": reason},
            )  # fmt: skip
            view = view_of(question)
        await core.publish([event])
        await core.say(thread_id, t("Closed: {reason}.", reason=reason_text(reason)))
        await core.archive(thread_id)
        return view

    async def duplicate(
        self, guild_id: int, caller: Caller, thread_id: int, original_id: int
    ) -> QuestionView:
        """`/qa duplicate of:<question>`: close this one as a duplicate of an earlier question."""
        core = self._core
        core.require_moderator(guild_id, caller)
        async with core.db.transaction() as session:
            question = await core.question_of_thread(session, guild_id, thread_id)
            original = await core.question_by_id(session, guild_id, original_id)
            if original.id == question.id:
                raise InvalidInput(t("A question cannot be a duplicate of itself."))
            event = core.close_in(question, "duplicate", duplicate_of=original.id)
            await queries.add(session, question)
            await add_audit(
                session, guild_id, caller.user_id, "qa.duplicate", event.at,
                target_user_id=question.asker_id,
                details={"question_id": question.id, "duplicate_of": original.id},
            )  # fmt: skip
            view, link = view_of(question), jump_link(guild_id, original.thread_id)
        await core.publish([event])
        await core.say(thread_id, t("Closed as a duplicate of {link}", link=link))
        await core.archive(thread_id)
        return view

    async def reopen(self, guild_id: int, caller: Caller, thread_id: int) -> QuestionView:
        """`/qa reopen`: a closed or solved question is open again (its timers start anew)."""
        core = self._core
        core.require_moderator(guild_id, caller)
        now = core.clock.now()
        events: list[DomainEvent] = []
        async with core.db.transaction() as session:
            question = await core.question_of_thread(session, guild_id, thread_id)
            if question.status not in (CLOSED, SOLVED):
                raise InvalidInput(t("This question is not closed or solved."))
            assert question.id is not None
            if question.accepted_message_id is not None:
                events.append(
                    AnswerUnaccepted(
                        guild_id, now, question_id=question.id,
                        answerer_id=question.answerer_id or 0,
                        message_id=question.accepted_message_id,
                    )
                )  # fmt: skip
                await queries.unaccept(session, question.id)
            question.status = ANSWERED if question.first_answer_at else OPEN
            question.close_reason = question.duplicate_of_id = question.closed_at = None
            question.accepted_message_id = question.answerer_id = question.answer_text = None
            question.solved_at = None
            question.last_activity_at = now
            await queries.add(session, question)
            await queries.forget_nudges(session, question.id)
            await add_audit(
                session, guild_id, caller.user_id, "qa.reopen", now,
                target_user_id=question.asker_id, details={"question_id": question.id},
            )  # fmt: skip
            view = view_of(question)
        await core.publish(events)
        await core.say(thread_id, t("Reopened by a moderator."))
        return view

    async def asker_left(self, guild_id: int, user_id: int) -> int:
        """The asker left the server: their unsolved questions close (`asker_left`)."""
        core = self._core
        async with core.db.transaction() as session:
            mine = await queries.open_questions_of(session, guild_id, user_id)
            events = [core.close_in(question, "asker_left") for question in mine]
            for question in mine:
                await queries.add(session, question)
        await core.publish(events)
        for question in mine:
            await core.say(
                question.thread_id, t("Closed: {reason}.", reason=reason_text("asker_left"))
            )
            await core.archive(question.thread_id)
        return len(mine)

    async def thread_deleted(self, guild_id: int, thread_id: int) -> bool:
        """The question's thread was deleted: the question closes (`deleted`)."""
        core = self._core
        async with core.db.transaction() as session:
            question = await queries.question_in_thread(session, thread_id)
            if question is None or question.guild_id != guild_id or question.status == CLOSED:
                return False
            event = core.close_in(question, "deleted")
            await queries.add(session, question)
        await core.publish([event])
        return True
