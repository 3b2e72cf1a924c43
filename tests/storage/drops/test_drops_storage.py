"""Drops storage: search, claiming due drops, privacy hooks (SQLite here, PostgreSQL in CI)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage.database import Database
from storage.drops import privacy, queries
from storage.drops.models import ContentItem, Drop
from storage.privacy import Erasure

GUILD = 1
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


async def _item(db: Database, title: str, tags: list[str], guild: int = GUILD,
                author: int = 7) -> int:  # fmt: skip
    async with db.transaction() as session:
        row = await queries.save_item(
            session, ContentItem(guild_id=guild, title=title, summary=f"about {title}",
                                 body="b", tags=tags, created_by=author, created_at=NOW)
        )  # fmt: skip
    return row.id or 0


async def _drop(db: Database, content_id: int, due: datetime, nonce: str) -> int:
    async with db.transaction() as session:
        row = await queries.save_drop(
            session, Drop(guild_id=GUILD, content_id=content_id, channel_id=5, scheduled_at=due,
                          due_at=due, nonce=nonce, created_by=7, created_at=NOW)
        )  # fmt: skip
    return row.id or 0


async def test_search_matches_word_prefixes_in_title_summary_and_tags(db: Database) -> None:
    python = await _item(db, "Async in depth", ["python"])
    career = await _item(db, "Hiring juniors", ["career"])
    async with db.read() as session:
        assert await queries.matching_ids(session, GUILD, "asy") == {python}
        assert await queries.matching_ids(session, GUILD, "career") == {career}
        assert await queries.matching_ids(session, GUILD, "about hiring") == {career}


async def test_search_ignores_query_syntax_and_other_guilds(db: Database) -> None:
    await _item(db, "Async", ["python"], guild=2)
    async with db.read() as session:
        assert await queries.matching_ids(session, GUILD, "async") == set()
        assert await queries.matching_ids(session, GUILD, '" OR * ( NEAR') == set()


async def test_a_removed_item_is_no_longer_found(db: Database) -> None:
    content_id = await _item(db, "Old news", [])
    async with db.transaction() as session:
        row = await queries.item(session, GUILD, content_id)
        assert row is not None
        row.removed_at = NOW
        await queries.save_item(session, row)
    async with db.read() as session:
        assert await queries.item(session, GUILD, content_id) is None
        assert content_id not in await queries.matching_ids(session, GUILD, "old")


async def test_a_due_drop_is_claimed_once(db: Database) -> None:
    content_id = await _item(db, "A", [])
    drop_id = await _drop(db, content_id, NOW, "n1")
    await _drop(db, content_id, NOW + timedelta(hours=1), "n2")
    async with db.transaction() as session:
        first = await queries.claim_due(session, NOW, 10)
    async with db.transaction() as session:
        second = await queries.claim_due(session, NOW, 10)
    assert [(d.id, d.status, d.attempts) for d in first] == [(drop_id, "posting", 1)]
    assert second == []


async def test_next_due_is_the_earliest_scheduled_drop(db: Database) -> None:
    content_id = await _item(db, "A", [])
    await _drop(db, content_id, NOW + timedelta(hours=2), "n1")
    await _drop(db, content_id, NOW + timedelta(hours=1), "n2")
    async with db.read() as session:
        assert await queries.next_due(session) == NOW + timedelta(hours=1)


async def test_forgetting_a_member_keeps_their_items_under_the_pseudonym(db: Database) -> None:
    content_id = await _item(db, "Mine", [], author=42)
    async with db.transaction() as session:
        await queries.note_member(session, GUILD, 42, joined_at=NOW)
        await queries.add_unlock(session, GUILD, 42, content_id, NOW)
    async with db.read() as session:
        exported = await privacy.export_member(session, GUILD, 42)
    assert len(exported["content_items"]) == 1 and len(exported["drop_unlocks"]) == 1
    async with db.transaction() as session:
        assert await privacy.forget_member(session, Erasure(GUILD, 42, -7, NOW)) == 3
    async with db.read() as session:
        item = await queries.item(session, GUILD, content_id)
        assert item is not None and item.created_by == -7
        assert await queries.member(session, GUILD, 42) is None
