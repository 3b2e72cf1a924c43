"""The report's Q&A block beyond shares: never marked, the queue at week end, outcomes."""

from __future__ import annotations

from datetime import datetime, timedelta

from storage.database import Database
from storage.qa.models import Question
from tests.services.stats.community import at, stats_service

WEEK = "2026-W45"
LATER = at(3)


def question(
    n: int,
    created: datetime,
    *,
    answered: datetime | None = None,
    solved: datetime | None = None,
    closed: datetime | None = None,
    reason: str | None = None,
) -> Question:
    return Question(
        guild_id=1, thread_id=1000 + n, channel_id=20, asker_id=n, title="How?",
        created_at=created, first_answer_at=answered, first_answerer_id=99 if answered else None,
        solved_at=solved, answerer_id=99 if solved else None, closed_at=closed,
        close_reason=reason, status="closed" if closed else "solved" if solved else "open",
    )  # fmt: skip


async def write(db: Database, *rows: Question) -> None:
    async with db.transaction() as session:
        session.add_all(rows)


async def test_answered_but_never_marked_counts_the_weeks_unsolved_answers(db: Database) -> None:
    hour = timedelta(hours=1)
    await write(
        db,
        question(1, at(0, 1), answered=at(0, 1) + hour),
        question(2, at(0, 1), answered=at(0, 1) + hour, solved=at(0, 2)),
        question(3, at(0, 1), answered=at(0, 1) + hour, solved=at(1, 1)),  # marked next week
        question(4, at(0, 1)),
    )

    qa = (await stats_service(db, LATER).weekly_report(1, WEEK)).qa

    assert qa.answered_unmarked == 2


async def test_the_queue_at_week_end_includes_older_weeks_questions(db: Database) -> None:
    await write(
        db,
        question(1, at(-2, 1)),  # asked two weeks before, still waiting
        question(2, at(0, 3)),
        question(3, at(0, 3), answered=at(0, 4)),
        question(4, at(-1, 1), closed=at(-1, 5), reason="inactive"),
        question(5, at(0, 6), answered=at(1, 0)),  # answered only after the week
    )

    qa = (await stats_service(db, LATER).weekly_report(1, WEEK)).qa

    assert qa.unanswered_at_end == 3


async def test_close_outcomes_count_the_weeks_closes_and_solves(db: Database) -> None:
    await write(
        db,
        question(1, at(-1, 1), closed=at(0, 1), reason="inactive"),
        question(2, at(0, 1), closed=at(0, 2), reason="duplicate"),
        question(3, at(0, 1), closed=at(0, 3), reason="duplicate"),
        question(4, at(0, 1), answered=at(0, 1), solved=at(0, 2)),
        question(5, at(-1, 1), closed=at(-1, 2), reason="off_topic"),  # closed last week
    )

    report = await stats_service(db, LATER).weekly_report(1, WEEK)

    assert dict(report.qa.outcomes) == {"duplicate": 2, "inactive": 1, "solved": 1}
    assert report.to_json()["qa"]["close_outcomes"]["duplicate"] == 2
