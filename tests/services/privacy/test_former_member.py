"""A top answerer who deleted their data shows as "a former member" in the weekly post."""

from __future__ import annotations

from storage.database import Database
from tests.services.stats.community import Community, at, stats_service


async def test_a_pseudonymised_top_answerer_is_named_a_former_member(db: Database) -> None:
    community = Community().join(1, at(-1)).join(7, at(-1))
    community.question(1, at(0, 1), answered=at(0, 1, minute=20), answerer=-424242)
    community.question(1, at(0, 2), answered=at(0, 2, minute=20), answerer=7)
    await community.write(db)

    message = await stats_service(db, at(3)).week_message(1, "2026-W45")

    [qa] = [f.value for f in message.cards[0].fields if f.name == "❓ Q&A"]
    assert "a former member (0 accepted, 1 first)" in qa and "<@7>" in qa
    assert "-424242" not in qa
