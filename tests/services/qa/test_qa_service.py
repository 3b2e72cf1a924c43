"""The Q&A rules with the real database: events, marking rules, rate limit, gates."""

from __future__ import annotations

import pytest

from bot.core.clock import FakeClock
from bot.core.errors import NotAllowed
from bot.core.events import (
    AnswerAccepted,
    AnswerDeleted,
    AnswerPosted,
    AnswerUnaccepted,
    QuestionAsked,
    QuestionClosed,
)
from bot.services.qa.settings import QaSettings
from bot.services.qa.views import Duplicates, Posted, Refused
from bot.services.qa.wording import quality_problems
from storage.database import Database
from tests.services.qa.support import ASKER, GUILD, HELPER, MOD, OTHER, Qa


@pytest.fixture
def qa(db: Database, clock: FakeClock) -> Qa:
    return Qa(db, clock)


@pytest.mark.parametrize(
    ("title", "details"),
    [
        ("help", "x" * 30),
        ("Question?????????????", "x" * 30),
        ("Help me please, urgent!", "x" * 30),
        ("pandas merge drops NaN keys", "too short"),
    ],
)
def test_quality_gates_refuse_empty_titles_and_short_details(title: str, details: str) -> None:
    assert quality_problems(title, details)


def test_a_clear_question_passes_the_gates() -> None:
    assert quality_problems("pandas merge drops NaN keys", "Rows with NaN keys vanish, why?") == ()


async def test_a_refused_draft_is_kept_for_editing(qa: Qa) -> None:
    outcome = await qa.service.submit(GUILD, ASKER.user_id, "help", "short", [])
    assert isinstance(outcome, Refused) and len(outcome.reasons) == 2
    form = await qa.service.form(GUILD, ASKER.user_id, outcome.draft_id)
    assert (form.title, form.details) == ("help", "short")


async def test_someone_elses_draft_cannot_be_posted(qa: Qa) -> None:
    outcome = await qa.service.submit(GUILD, ASKER.user_id, "help", "short", [])
    assert isinstance(outcome, Refused)
    with pytest.raises(NotAllowed):
        await qa.service.post_anyway(GUILD, OTHER.user_id, outcome.draft_id)


async def test_asking_publishes_question_asked_with_the_forum_tags(qa: Qa) -> None:
    posted = await qa.posted()
    assert qa.threads.opened == [(posted.question.title, ("python",))]
    assert [type(e) for e in qa.events] == [QuestionAsked]


async def test_a_second_similar_question_is_offered_the_first(qa: Qa) -> None:
    first = await qa.posted()
    outcome = await qa.service.submit(
        GUILD,
        HELPER.user_id,
        "Merge in pandas drops my NaN key rows",
        "Rows with NaN keys vanish.",
        [],
    )
    assert isinstance(outcome, Duplicates)
    assert outcome.candidates[0].question.id == first.question.id


async def test_answer_posted_once_per_message_and_never_for_the_asker(qa: Qa) -> None:
    thread = (await qa.posted()).question.thread_id
    await qa.service.message_posted(GUILD, thread, 1, ASKER.user_id)
    await qa.service.message_posted(GUILD, thread, 2, HELPER.user_id)
    await qa.service.message_posted(GUILD, thread, 2, HELPER.user_id)
    answers = qa.published(AnswerPosted)
    assert [(e.answerer_id, e.message_id) for e in answers] == [(HELPER.user_id, 2)]


async def test_accepting_publishes_accepted_and_closed_solved(qa: Qa) -> None:
    thread = (await qa.posted()).question.thread_id
    await qa.service.message_posted(GUILD, thread, 2, HELPER.user_id)
    outcome = await qa.service.mark(GUILD, ASKER, thread, 2, HELPER.user_id, False, "fill them")
    assert outcome.state == "accepted"
    [accepted] = qa.published(AnswerAccepted)
    [closed] = qa.published(QuestionClosed)
    assert accepted.answerer_id == HELPER.user_id and closed.outcome == "solved"


async def test_changing_the_answer_unaccepts_the_old_one(qa: Qa) -> None:
    thread = (await qa.posted()).question.thread_id
    await qa.service.message_posted(GUILD, thread, 2, HELPER.user_id)
    await qa.service.message_posted(GUILD, thread, 3, OTHER.user_id)
    await qa.service.mark(GUILD, ASKER, thread, 2, HELPER.user_id, False, "a")
    await qa.service.mark(GUILD, ASKER, thread, 3, OTHER.user_id, False, "b")
    assert [e.message_id for e in qa.published(AnswerUnaccepted)] == [2]
    assert [e.message_id for e in qa.published(AnswerAccepted)] == [2, 3]
    assert len(qa.published(QuestionClosed)) == 1


async def test_deleting_the_accepted_answer_takes_it_back(qa: Qa) -> None:
    thread = (await qa.posted()).question.thread_id
    await qa.service.message_posted(GUILD, thread, 2, HELPER.user_id)
    await qa.service.mark(GUILD, ASKER, thread, 2, HELPER.user_id, False, "a")
    await qa.service.message_deleted(GUILD, thread, 2)
    assert [type(e) for e in qa.events[-2:]] == [AnswerUnaccepted, AnswerDeleted]
    listed = await qa.service.queue(GUILD, status="answered")
    assert [q.thread_id for q in listed] == [thread]


async def test_a_moderator_marks_without_asking(qa: Qa) -> None:
    thread = (await qa.posted()).question.thread_id
    outcome = await qa.service.mark(GUILD, MOD, thread, 2, HELPER.user_id, False, "a")
    assert outcome.state == "accepted"


async def test_marks_by_members_are_rate_limited(db: Database, clock: FakeClock) -> None:
    qa = Qa(db, clock, QaSettings(marks_per_hour=2))
    thread = (await qa.posted()).question.thread_id
    for message_id in (2, 3):
        await qa.service.mark(GUILD, OTHER, thread, message_id, HELPER.user_id, False, "a")
    with pytest.raises(NotAllowed, match="last hour"):
        await qa.service.mark(GUILD, OTHER, thread, 4, HELPER.user_id, False, "a")


async def test_moderators_are_not_rate_limited(db: Database, clock: FakeClock) -> None:
    qa = Qa(db, clock, QaSettings(marks_per_hour=1))
    thread = (await qa.posted()).question.thread_id
    for message_id in (2, 3, 4):
        outcome = await qa.service.mark(GUILD, MOD, thread, message_id, HELPER.user_id, False, "a")
        assert outcome.state == "accepted"


async def test_only_the_asker_confirms_a_members_mark(qa: Qa) -> None:
    thread = (await qa.posted()).question.thread_id
    pending = await qa.service.mark(GUILD, OTHER, thread, 2, HELPER.user_id, False, "a")
    with pytest.raises(NotAllowed):
        await qa.service.confirm(GUILD, HELPER, pending.mark_id, True)
    outcome = await qa.service.confirm(GUILD, ASKER, pending.mark_id, True)
    assert pending.state == "pending" and outcome.state == "accepted"
    assert any(ASKER.user_id in pings for _, _, pings, _ in qa.threads.posts)


async def test_a_bot_message_or_the_question_itself_cannot_be_the_answer(qa: Qa) -> None:
    thread = (await qa.posted()).question.thread_id
    with pytest.raises(Exception, match="member's reply"):
        await qa.service.mark(GUILD, ASKER, thread, 2, 99, True, "a")
    with pytest.raises(Exception, match="question itself"):
        await qa.service.mark(GUILD, ASKER, thread, thread, ASKER.user_id, False, "a")


async def test_posted_is_what_a_clear_question_gives(qa: Qa) -> None:
    assert isinstance(await qa.posted(), Posted)
