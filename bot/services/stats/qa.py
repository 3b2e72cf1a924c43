"""Q&A numbers for the questions asked in a week, as they stood at its end."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime

from bot.services.stats.report import QA, Answerer, ratio
from storage.database import Session
from storage.stats import qa_reads, reads

TOP_ANSWERERS = 5

# (created, first answer, first answerer, solved, accepted answerer)
QuestionRow = tuple[datetime, datetime | None, int | None, datetime | None, int | None]


def qa_numbers(
    questions: Sequence[QuestionRow],
    end: datetime,
    *,
    unanswered_at_end: int = 0,
    outcomes: Mapping[str, int] | None = None,
) -> QA:
    """Asked, answered and solved shares, median minutes to a first answer, top answerers,
    answered but never marked; the queue at the week's end and the close outcomes as read."""
    answered = [q for q in questions if q[1] is not None and q[1] < end]
    solved = [q for q in questions if q[3] is not None and q[3] < end]
    minutes = [(q[1] - q[0]).total_seconds() / 60 for q in answered if q[1] is not None]
    first_answers = Counter(q[2] for q in answered if q[2] is not None)
    accepted = Counter(q[4] for q in solved if q[4] is not None)
    people = set(first_answers) | set(accepted)
    ranked = sorted(people, key=lambda u: (-accepted[u], -first_answers[u], u))
    return QA(
        asked=len(questions),
        answered_pct=ratio(len(answered), len(questions)),
        median_first_answer_minutes=statistics.median(minutes) if minutes else None,
        solved_pct=ratio(len(solved), len(questions)),
        top_answerers=tuple(
            Answerer(u, first_answers[u], accepted[u]) for u in ranked[:TOP_ANSWERERS]
        ),
        answered_unmarked=sum(1 for q in answered if q[3] is None or q[3] >= end),
        unanswered_at_end=unanswered_at_end,
        outcomes=tuple(sorted((outcomes or {}).items(), key=lambda kv: (-kv[1], kv[0]))),
    )


async def qa_block(session: Session, guild_id: int, start: datetime, end: datetime) -> QA:
    """The report's Q&A block for the week [start, end)."""
    return qa_numbers(
        await reads.questions_asked(session, guild_id, start, end),
        end,
        unanswered_at_end=await qa_reads.unanswered_at(session, guild_id, end),
        outcomes=await qa_reads.close_outcomes(session, guild_id, start, end),
    )
