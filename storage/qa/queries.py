"""Queries on the Q&A tables; they never commit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.qa.models import (
    ANSWERED,
    OPEN,
    QaAccepted,
    QaAnswer,
    QaDraft,
    QaMark,
    QaNudge,
    Question,
)


async def add(session: AsyncSession, row: QaAnswer | QaDraft | QaMark | Question) -> None:
    """Insert or update one row (its id is filled in)."""
    session.add(row)
    await session.flush()


async def question(session: AsyncSession, question_id: int) -> Question | None:
    """A question by id."""
    return await session.get(Question, question_id)


async def question_in_thread(session: AsyncSession, thread_id: int) -> Question | None:
    """The question whose thread this is."""
    result = await session.exec(select(Question).where(Question.thread_id == thread_id))
    return result.first()


async def questions(session: AsyncSession, ids: Sequence[int]) -> dict[int, Question]:
    """Questions by id."""
    if not ids:
        return {}
    result = await session.exec(select(Question).where(col(Question.id).in_(list(ids))))
    return {q.id: q for q in result.all() if q.id is not None}


async def queue(
    session: AsyncSession, guild_id: int, statuses: Sequence[str], limit: int
) -> list[Question]:
    """The guild's questions in these states, oldest first."""
    result = await session.exec(
        select(Question)
        .where(Question.guild_id == guild_id, col(Question.status).in_(list(statuses)))
        .order_by(col(Question.created_at), col(Question.id))
        .limit(limit)
    )
    return list(result.all())


async def asked_by(
    session: AsyncSession, guild_id: int, user_id: int, limit: int
) -> list[Question]:
    """A member's questions, newest first."""
    result = await session.exec(
        select(Question)
        .where(Question.guild_id == guild_id, Question.asker_id == user_id)
        .order_by(col(Question.created_at).desc(), col(Question.id).desc())
        .limit(limit)
    )
    return list(result.all())


async def open_questions_of(session: AsyncSession, guild_id: int, user_id: int) -> list[Question]:
    """A member's questions still open or answered."""
    result = await session.exec(
        select(Question).where(
            Question.guild_id == guild_id,
            Question.asker_id == user_id,
            col(Question.status).in_([OPEN, ANSWERED]),
        )
    )
    return list(result.all())


# -- answers -------------------------------------------------------------------------


async def answer(session: AsyncSession, message_id: int) -> QaAnswer | None:
    """The answer row of a message, if it counted as one."""
    result = await session.exec(select(QaAnswer).where(QaAnswer.message_id == message_id))
    return result.first()


# -- the accepted answer ---------------------------------------------------------------


async def accepted(session: AsyncSession, question_id: int) -> QaAccepted | None:
    """The question's accepted answer."""
    result = await session.exec(select(QaAccepted).where(QaAccepted.question_id == question_id))
    return result.first()


async def accept(session: AsyncSession, row: QaAccepted) -> bool:
    """Insert the accepted answer; False when the question has one already (the constraint)."""
    try:
        async with session.begin_nested():
            session.add(row)
            await session.flush()
    except IntegrityError:
        return False
    return True


async def unaccept(session: AsyncSession, question_id: int) -> None:
    """Remove the question's accepted answer."""
    await session.exec(delete(QaAccepted).where(col(QaAccepted.question_id) == question_id))


# -- marks -------------------------------------------------------------------------------


async def mark(session: AsyncSession, mark_id: int) -> QaMark | None:
    """A mark by id."""
    return await session.get(QaMark, mark_id)


async def marks_since(session: AsyncSession, guild_id: int, user_id: int, since: datetime) -> int:
    """How many marks the member made since then."""
    result = await session.exec(
        select(func.count())
        .select_from(QaMark)
        .where(QaMark.guild_id == guild_id, QaMark.marked_by == user_id, QaMark.at >= since)
    )
    return int(result.one())


# -- drafts ------------------------------------------------------------------------------


async def draft(session: AsyncSession, draft_id: int) -> QaDraft | None:
    """A draft by id."""
    return await session.get(QaDraft, draft_id)


async def drop_draft(session: AsyncSession, draft_id: int) -> None:
    """Forget a draft."""
    await session.exec(delete(QaDraft).where(col(QaDraft.id) == draft_id))


# -- nudges and timers -------------------------------------------------------------------


async def claim_nudge(
    session: AsyncSession, guild_id: int, question_id: int, kind: str, at: datetime
) -> bool:
    """Record that the timer `kind` fired for the question; False when it had already."""
    try:
        async with session.begin_nested():
            session.add(QaNudge(guild_id=guild_id, question_id=question_id, kind=kind, at=at))
            await session.flush()
    except IntegrityError:
        return False
    return True


async def nudged(session: AsyncSession, question_id: int) -> set[str]:
    """The timers that fired for the question."""
    result = await session.exec(select(QaNudge.kind).where(QaNudge.question_id == question_id))
    return set(result.all())


async def due(
    session: AsyncSession,
    guild_id: int,
    statuses: Sequence[str],
    column: str,
    before: datetime,
    kind: str,
) -> list[Question]:
    """Questions in these states whose `column` time is before `before` and whose timer
    `kind` has not fired."""
    fired = select(QaNudge.question_id).where(QaNudge.kind == kind)
    moment = getattr(Question, column)
    result = await session.exec(
        select(Question)
        .where(
            Question.guild_id == guild_id,
            col(Question.status).in_(list(statuses)),
            col(moment).is_not(None),
            moment < before,
            col(Question.id).not_in(fired),
        )
        .order_by(col(Question.id))
        .limit(500)
    )
    return list(result.all())


async def forget_nudges(session: AsyncSession, question_id: int) -> None:
    """The question's timers may fire again (it was reopened)."""
    await session.exec(delete(QaNudge).where(col(QaNudge.question_id) == question_id))
