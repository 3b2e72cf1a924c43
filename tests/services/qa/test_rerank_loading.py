"""The re-rank model is loaded once, when the service starts, not for each question."""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.clock import FakeClock
from bot.services.qa.settings import QaSettings
from storage.database import Database
from tests.services.qa.support import ASKER, GUILD, TITLE, Qa


class Counted:
    """A re-ranker factory that counts its loads."""

    def __init__(self) -> None:
        self.loads = 0

    def __call__(self) -> Counted:
        self.loads += 1
        return self

    def similarity(self, query: str, documents: Sequence[str]) -> list[float]:
        return [1.0] * len(documents)


async def test_the_model_is_loaded_before_the_first_question_and_only_then(
    db: Database, clock: FakeClock
) -> None:
    model = Counted()
    qa = Qa(db, clock, load_reranker=model)
    await qa.service.asking.preload()
    assert model.loads == 1
    for n in range(2):
        await qa.service.submit(GUILD, ASKER.user_id, f"{TITLE} {n}", "details " * 5, [])
    assert model.loads == 1


async def test_nothing_is_loaded_where_the_rerank_is_off(db: Database, clock: FakeClock) -> None:
    model = Counted()
    qa = Qa(db, clock, QaSettings(rerank=False), load_reranker=model)
    await qa.service.asking.preload()
    await qa.service.submit(GUILD, ASKER.user_id, TITLE, "details " * 5, [])
    assert model.loads == 0
