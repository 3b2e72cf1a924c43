"""Q&A's personal data: questions asked (their text), answers, marks, drafts.

Forgetting a member keeps the numbers (a question was asked, answered, solved) but not who:
their questions lose their text, and a pseudonym takes the place of their id everywhere.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlmodel import col, delete, or_
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.privacy import Erasure, delete_rows, rows_of
from storage.qa.models import QaAccepted, QaAnswer, QaDraft, QaMark, Question

TABLES = ("questions", "qa_answers", "qa_accepted", "qa_marks", "qa_drafts")
KEPT = {
    "questions": "The weekly Q&A numbers stay true: your questions are kept without their "
    "text, and a pseudonym replaces your id as asker or answerer.",
    "qa_answers": "Answer counts stay true: a pseudonym replaces your id.",
    "qa_accepted": "Solved counts stay true: a pseudonym replaces your id.",
}
ERASED = "[deleted]"


async def export_member(session: AsyncSession, guild_id: int, user_id: int) -> dict[str, Any]:
    """Their questions (with the text they typed), answers, accepted answers, marks, drafts."""
    return {
        "questions": await rows_of(session, Question, guild_id, user_id, "asker_id"),
        "answers_given": await rows_of(session, QaAnswer, guild_id, user_id, "answerer_id"),
        "accepted_answers": await rows_of(session, QaAccepted, guild_id, user_id, "answerer_id"),
        "marks": await rows_of(session, QaMark, guild_id, user_id, "marked_by"),
        "drafts": await rows_of(session, QaDraft, guild_id, user_id),
    }


async def forget_member(session: AsyncSession, erasure: Erasure) -> int:
    """Erase their text; their ids become the pseudonym, so every Q&A number stays."""
    guild_id, user_id, pseudonym = erasure.guild_id, erasure.user_id, erasure.pseudonym
    changed = await delete_rows(session, QaDraft, guild_id, user_id)
    result = await session.exec(
        delete(QaMark).where(
            col(QaMark.guild_id) == guild_id,
            or_(col(QaMark.marked_by) == user_id, col(QaMark.answerer_id) == user_id),
        )
    )
    changed += int(result.rowcount or 0)
    in_guild = col(Question.guild_id) == guild_id
    for statement in (
        update(Question)
        .where(in_guild, col(Question.asker_id) == user_id)
        .values(asker_id=pseudonym, title=ERASED, details="", tags=[]),
        update(Question)
        .where(in_guild, col(Question.answerer_id) == user_id)
        .values(answerer_id=pseudonym, answer_text=None),
        update(Question)
        .where(in_guild, col(Question.first_answerer_id) == user_id)
        .values(first_answerer_id=pseudonym),
        update(QaAnswer)
        .where(col(QaAnswer.guild_id) == guild_id, col(QaAnswer.answerer_id) == user_id)
        .values(answerer_id=pseudonym),
        update(QaAccepted)
        .where(col(QaAccepted.guild_id) == guild_id, col(QaAccepted.answerer_id) == user_id)
        .values(answerer_id=pseudonym),
        update(QaAccepted)
        .where(col(QaAccepted.guild_id) == guild_id, col(QaAccepted.marked_by) == user_id)
        .values(marked_by=pseudonym),
    ):
        result = await session.exec(statement)
        changed += int(result.rowcount or 0)
    return changed
