"""The thread's life: replies that answer, "Mark as answer", the asker's confirmation."""

from __future__ import annotations

import logging
from datetime import timedelta

from bot.core.access import Caller
from bot.core.errors import InvalidInput, NotAllowed, NotFound
from bot.core.events import (
    AnswerAccepted,
    AnswerDeleted,
    AnswerPosted,
    AnswerUnaccepted,
    DomainEvent,
    QuestionClosed,
)
from bot.core.ids import custom_id
from bot.core.kinds import Kind
from bot.core.ports import Button, OutgoingMessage, PortError
from bot.core.text import t
from bot.services.qa.core import QaCore, view_of
from bot.services.qa.views import MarkOutcome, jump_link
from storage.audit.queries import add_audit
from storage.database import Session
from storage.qa import queries
from storage.qa.models import ANSWERED, CLOSED, OPEN, SOLVED, QaAccepted, QaAnswer, QaMark, Question

log = logging.getLogger(__name__)
FEATURE = "qa"
ANSWER_TEXT_MAX = 4000


class Lifecycle:
    """open -> answered -> solved, as members reply and mark."""

    def __init__(self, core: QaCore) -> None:
        self._core = core

    # -- replies ---------------------------------------------------------------------

    async def message_posted(
        self, guild_id: int, thread_id: int, message_id: int, author_id: int
    ) -> bool:
        """A member posted in a thread: activity; a non-asker's reply is an answer (once).
        True when it counted as an answer."""
        core = self._core
        now = core.clock.now()
        events: list[DomainEvent] = []
        async with core.db.transaction() as session:
            question = await queries.question_in_thread(session, thread_id)
            if question is None or question.guild_id != guild_id or message_id == thread_id:
                return False
            question.last_activity_at = now
            counts = author_id != question.asker_id and question.status != CLOSED
            if counts and await queries.answer(session, message_id) is None:
                events.append(self._answer_in(session, question, message_id, author_id))
            await queries.add(session, question)
        if events:
            core.interaction_log.record(
                guild_id, author_id, Kind.ANSWER, now, channel_id=thread_id, ref=str(question.id)
            )
        await core.publish(events)
        return bool(events)

    def _answer_in(
        self, session: Session, question: Question, message_id: int, author_id: int
    ) -> AnswerPosted:
        """Record the answer (in the transaction); the event to publish."""
        assert question.id is not None
        at = self._core.clock.now()
        session.add(
            QaAnswer(
                guild_id=question.guild_id, question_id=question.id, message_id=message_id,
                answerer_id=author_id, posted_at=at,
            )
        )  # fmt: skip
        if question.status == OPEN:
            question.status = ANSWERED
            question.first_answer_at = at
            question.first_answerer_id = author_id
        return AnswerPosted(
            question.guild_id, at, question_id=question.id, answerer_id=author_id,
            message_id=message_id,
        )  # fmt: skip

    async def message_deleted(self, guild_id: int, channel_id: int, message_id: int) -> None:
        """A message was deleted: an answer is taken back; the question's own post closes it."""
        core = self._core
        now = core.clock.now()
        events: list[DomainEvent] = []
        async with core.db.transaction() as session:
            question = await queries.question_in_thread(session, channel_id)
            if question is None or question.guild_id != guild_id:
                return
            if message_id == question.thread_id:
                if question.status != CLOSED:
                    events.append(core.close_in(question, "deleted"))
                    await queries.add(session, question)
            else:
                answer = await queries.answer(session, message_id)
                if question.accepted_message_id == message_id:
                    events.append(await self._unaccept_in(session, question))
                if answer is not None and answer.deleted_at is None:
                    answer.deleted_at = now
                    session.add(answer)
                    events.append(
                        AnswerDeleted(
                            guild_id, now, question_id=answer.question_id,
                            answerer_id=answer.answerer_id, message_id=message_id,
                        )
                    )  # fmt: skip
        await core.publish(events)

    async def _unaccept_in(self, session: Session, question: Question) -> DomainEvent:
        assert question.id is not None and question.accepted_message_id is not None
        event = AnswerUnaccepted(
            question.guild_id, self._core.clock.now(), question_id=question.id,
            answerer_id=question.answerer_id or 0, message_id=question.accepted_message_id,
        )  # fmt: skip
        await queries.unaccept(session, question.id)
        question.accepted_message_id = question.answerer_id = question.answer_text = None
        question.solved_at = None
        if question.status == SOLVED:
            question.status = ANSWERED if question.first_answer_at else OPEN
        await queries.add(session, question)
        return event

    # -- marking -------------------------------------------------------------------------

    async def mark(
        self,
        guild_id: int,
        caller: Caller,
        thread_id: int,
        message_id: int,
        author_id: int,
        author_is_bot: bool,
        text: str,
    ) -> MarkOutcome:
        """ "Mark as answer": the asker or a moderator accepts; anyone else asks the asker."""
        core = self._core
        if author_is_bot:
            raise InvalidInput(t("Only a member's reply can be the answer."))
        if message_id == thread_id:
            raise InvalidInput(t("That is the question itself; mark the reply that answered it."))
        moderator = core.is_moderator(guild_id, caller)
        now = core.clock.now()
        async with core.db.transaction() as session:
            question = await core.question_of_thread(session, guild_id, thread_id)
            if question.status == CLOSED:
                raise InvalidInput(t("This question is closed; a moderator can reopen it."))
            if question.accepted_message_id == message_id:
                return self._outcome("already", question, message_id, author_id)
            if not moderator:
                limit = core.qa(guild_id).marks_per_hour
                recent = await queries.marks_since(
                    session, guild_id, caller.user_id, now - timedelta(hours=1)
                )
                if recent >= limit:
                    raise NotAllowed(
                        t("You marked {n} answers in the last hour; try again later.", n=recent)
                    )
            assert question.id is not None
            mark = QaMark(
                guild_id=guild_id, question_id=question.id, message_id=message_id,
                answerer_id=author_id, answer_text=text[:ANSWER_TEXT_MAX],
                marked_by=caller.user_id, at=now,
            )  # fmt: skip
            await queries.add(session, mark)
            assert mark.id is not None
            pending = caller.user_id != question.asker_id and not moderator
            events = [] if pending else await self._accept_in(session, question, mark, moderator)
        if pending:
            await self._ask_asker(question, mark)
            return self._outcome("pending", question, message_id, author_id, mark.id)
        await self._after_accept(question, mark, events)
        return self._outcome("accepted", question, message_id, author_id, mark.id)

    async def _ask_asker(self, question: Question, mark: QaMark) -> None:
        """Post the member's suggestion in the thread, with the asker's buttons."""
        assert mark.id is not None
        link = jump_link(question.guild_id, question.thread_id, mark.message_id)
        message = OutgoingMessage(
            content=t(
                "<@{asker}>, <@{marker}> thinks this answer by <@{answerer}> solved your "
                "question: {link}\nDid it?",
                asker=question.asker_id, marker=mark.marked_by, answerer=mark.answerer_id,
                link=link,
            ),
            buttons=(
                Button(t("Yes, mark it"), custom_id(FEATURE, "confirm", mark.id), style="success"),
                Button(t("No"), custom_id(FEATURE, "decline", mark.id), style="secondary"),
            ),
        )  # fmt: skip
        try:
            await self._core.threads.post(
                question.thread_id, message, ping_users=(question.asker_id,)
            )
        except (PortError, RuntimeError) as error:
            log.warning("asking the asker of question %s failed: %s", question.id, error)

    async def confirm(self, guild_id: int, caller: Caller, mark_id: int, yes: bool) -> MarkOutcome:
        """The asker (or a moderator) answers a member's mark: accept it or not."""
        core = self._core
        moderator = core.is_moderator(guild_id, caller)
        async with core.db.transaction() as session:
            mark = await queries.mark(session, mark_id)
            if mark is None or mark.guild_id != guild_id:
                raise NotFound(t("That suggestion is gone."))
            question = await core.question_by_id(session, guild_id, mark.question_id)
            if caller.user_id != question.asker_id and not moderator:
                raise NotAllowed(t("Only the asker can confirm the answer."))
            if mark.state != "pending":
                raise InvalidInput(t("This suggestion was already answered."))
            if question.status == CLOSED:
                raise InvalidInput(t("This question is closed; a moderator can reopen it."))
            if not yes:
                mark.state = "declined"
                await queries.add(session, mark)
                return self._outcome("declined", question, mark.message_id, mark.answerer_id)
            mark.marked_by = caller.user_id
            events = await self._accept_in(session, question, mark, moderator)
        await self._after_accept(question, mark, events)
        return self._outcome("accepted", question, mark.message_id, mark.answerer_id, mark_id)

    async def _accept_in(
        self, session: Session, question: Question, mark: QaMark, moderator: bool
    ) -> list[DomainEvent]:
        """Make the mark the accepted answer (in the transaction); the events to publish."""
        core = self._core
        now = core.clock.now()
        assert question.id is not None
        events: list[DomainEvent] = []
        was_solved = question.status == SOLVED
        if question.accepted_message_id is not None:
            events.append(await self._unaccept_in(session, question))
        if (
            mark.answerer_id != question.asker_id
            and await queries.answer(session, mark.message_id) is None
        ):
            events.append(self._answer_in(session, question, mark.message_id, mark.answerer_id))
        accepted = QaAccepted(
            guild_id=question.guild_id, question_id=question.id, message_id=mark.message_id,
            answerer_id=mark.answerer_id, marked_by=mark.marked_by, marked_at=now,
        )  # fmt: skip
        if not await queries.accept(session, accepted):
            raise InvalidInput(t("Another answer was marked at the same moment; look again."))
        question.status = SOLVED
        question.solved_at = now
        question.accepted_message_id = mark.message_id
        question.answerer_id = mark.answerer_id
        question.answer_text = mark.answer_text
        question.last_activity_at = now
        mark.state = "accepted"
        await queries.add(session, mark)
        await queries.add(session, question)
        if moderator and mark.marked_by != question.asker_id:
            await add_audit(
                session, question.guild_id, mark.marked_by, "qa.mark", now,
                target_user_id=mark.answerer_id,
                details={"question_id": question.id, "message_id": mark.message_id},
            )  # fmt: skip
        events.append(
            AnswerAccepted(
                question.guild_id, now, question_id=question.id, asker_id=question.asker_id,
                answerer_id=mark.answerer_id, message_id=mark.message_id,
            )
        )  # fmt: skip
        if not was_solved:
            events.append(
                QuestionClosed(
                    question.guild_id, now, question_id=question.id,
                    asker_id=question.asker_id, outcome=SOLVED,
                )
            )  # fmt: skip
        return events

    async def _after_accept(
        self, question: Question, mark: QaMark, events: list[DomainEvent]
    ) -> None:
        """After commit: log, publish, show it solved in the thread."""
        core = self._core
        now = core.clock.now()
        core.interaction_log.record(
            question.guild_id, mark.marked_by, Kind.SOLVED, now,
            channel_id=question.thread_id, ref=str(question.id),
        )  # fmt: skip
        await core.publish(events)
        await self.show_solved(question, mark.message_id, mark.answerer_id)

    async def show_solved(self, question: Question, message_id: int, answerer_id: int) -> None:
        """The solved tag (forum) or a ✅ on the answer, and a note with the jump link."""
        core = self._core
        settings = core.qa(question.guild_id)
        channel = core.threads.channel(question.channel_id)
        try:
            if channel is not None and channel.forum and settings.solved_tag in channel.tags:
                await core.threads.set_tags(
                    question.thread_id, [*question.tags, settings.solved_tag]
                )
            await core.threads.react(question.thread_id, message_id, "✅")
        except PortError as error:
            log.warning("showing question %s solved failed: %s", question.id, error)
        link = jump_link(question.guild_id, question.thread_id, message_id)
        await core.say(
            question.thread_id,
            t("✅ Solved: the answer by <@{answerer}> is marked. Jump to it: {link}",
              answerer=answerer_id, link=link),
        )  # fmt: skip

    def _outcome(
        self, state: str, question: Question, message_id: int, answerer_id: int, mark_id: int = 0
    ) -> MarkOutcome:
        link = jump_link(question.guild_id, question.thread_id, message_id)
        return MarkOutcome(state, view_of(question), link, answerer_id, mark_id)
