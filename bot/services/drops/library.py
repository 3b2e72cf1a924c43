"""The library: add, edit, remove (soft), submit and review items; search; open."""

from __future__ import annotations

import re
from datetime import datetime
from math import ceil

from bot.core.access import Caller
from bot.core.errors import InvalidInput
from bot.core.events import ContentOpened
from bot.core.kinds import Kind
from bot.core.text import t
from bot.services.drops.core import Core, drip_unlocks_at, is_timed, item_view
from bot.services.drops.views import (
    BODY_MAX,
    LINK_MAX,
    PAGE_SIZE,
    REASON_MAX,
    SUMMARY_MAX,
    TAG_MAX,
    TAGS_MAX,
    TITLE_MAX,
    ItemInput,
    ItemView,
    LibraryEntry,
    LibraryPage,
    Opened,
)
from bot.services.drops.when import parse_when
from storage.drops import queries
from storage.drops.models import ContentItem
from storage.drops.reads import opened_content_ids

_KEY = re.compile(r"[a-z0-9][a-z0-9_-]{0,31}\Z")
_LEVEL = re.compile(r"level[: ]?(\d{1,3})\Z")


class Library:
    """Items: who may write them, who may open them."""

    def __init__(self, core: Core) -> None:
        self.core = core

    # -- writing -------------------------------------------------------------------------

    async def add(self, guild_id: int, caller: Caller, data: ItemInput) -> ItemView:
        """A moderator adds an item (published at once)."""
        self.core.require_moderator(guild_id, caller)
        row = ContentItem(
            guild_id=guild_id, title="", created_by=caller.user_id, created_at=self._now()
        )
        self._fill(row, data)
        async with self.core.db.transaction() as session:
            await queries.save_item(session, row)
        return item_view(row)

    async def submit(self, guild_id: int, caller: Caller, data: ItemInput) -> ItemView:
        """An author submits an item for review."""
        self.core.require_author(guild_id, caller)
        row = ContentItem(
            guild_id=guild_id,
            title="",
            created_by=caller.user_id,
            created_at=self._now(),
            status="pending",
        )
        self._fill(row, data)
        async with self.core.db.transaction() as session:
            await queries.save_item(session, row)
        await self.core.tell_moderators(
            guild_id, t("New submission for review: {title} (/content review)", title=row.title)
        )
        return item_view(row)

    async def edit(
        self, guild_id: int, caller: Caller, content_id: int, data: ItemInput
    ) -> ItemView:
        """A moderator changes an item."""
        self.core.require_moderator(guild_id, caller)
        async with self.core.db.transaction() as session:
            row = await self.core.item_row(session, guild_id, content_id)
            self._fill(row, data)
            row.updated_at = self._now()
            await queries.save_item(session, row)
        return item_view(row)

    async def remove(self, guild_id: int, caller: Caller, content_id: int) -> ItemView:
        """A moderator removes an item (kept, hidden); its scheduled drops are canceled."""
        self.core.require_moderator(guild_id, caller)
        async with self.core.db.transaction() as session:
            row = await self.core.item_row(session, guild_id, content_id)
            row.removed_at = self._now()
            await queries.save_item(session, row)
            for drop in await queries.upcoming(session, guild_id, limit=1000):
                if drop.content_id == content_id and drop.status == "scheduled":
                    drop.status = "canceled"
                    await queries.save_drop(session, drop)
        return item_view(row)

    async def item(self, guild_id: int, caller: Caller, content_id: int) -> ItemView:
        """One item for a moderator (to prefill the edit form)."""
        self.core.require_moderator(guild_id, caller)
        async with self.core.db.read() as session:
            return item_view(await self.core.item_row(session, guild_id, content_id))

    async def body_of(self, guild_id: int, caller: Caller, content_id: int) -> str:
        """An item's body, for the edit form."""
        self.core.require_moderator(guild_id, caller)
        async with self.core.db.read() as session:
            return (await self.core.item_row(session, guild_id, content_id)).body

    def _fill(self, row: ContentItem, data: ItemInput) -> None:
        title, summary, body, link = (
            data.title.strip(), data.summary.strip(), data.body.strip(), data.link.strip(),
        )  # fmt: skip
        if not title or len(title) > TITLE_MAX:
            raise InvalidInput(t("A title of 1 to {n} characters, please.", n=TITLE_MAX))
        if len(summary) > SUMMARY_MAX or len(body) > BODY_MAX or len(link) > LINK_MAX:
            raise InvalidInput(t("The summary, body or link is too long."))
        if not body and not link:
            raise InvalidInput(t("Give the item a body, a link, or both."))
        if link and not link.startswith(("https://", "http://")):
            raise InvalidInput(t("The link must start with https://"))
        if data.kind not in ("post", "event"):
            raise InvalidInput(t("An item is a post or an event."))
        if data.drip_days is not None and not 0 <= data.drip_days <= 3650:
            raise InvalidInput(t("Drip days must be between 0 and 3650."))
        row.title, row.summary, row.body, row.link = title, summary, body, link or None
        row.tags = parse_tags(data.tags)
        row.access, row.tier_key, row.level = self._access(row.guild_id, data.access)
        row.kind = data.kind
        row.drip_days, row.drip_from = data.drip_days, data.drip_from
        row.unlock_at = self._unlock(row.guild_id, data.unlock) if data.unlock.strip() else None

    def check_options(self, guild_id: int, access: str, unlock: str) -> None:
        """Refuse a bad access rule or unlock time before the form is filled in."""
        self._access(guild_id, access)
        if unlock.strip():
            self._unlock(guild_id, unlock)

    def _unlock(self, guild_id: int, typed: str) -> datetime:
        choice = parse_when(typed, self.core.timezone(guild_id), self._now())
        return choice.instants[0]

    def _access(self, guild_id: int, typed: str) -> tuple[str, str | None, int | None]:
        access = typed.strip().lower() or "free"
        if access == "free":
            return "free", None, None
        level = _LEVEL.fullmatch(access)
        if level:
            if self.core.levels is None:
                raise InvalidInput(t("Points levels are not set up here, so no item can need one."))
            return "level", None, int(level[1])
        key = access.removeprefix("tier:").strip()
        if not _KEY.match(key):
            raise InvalidInput(t("Access is `free`, a tier key (e.g. `pro`) or `level 3`."))
        if self.core.standing is None:
            raise InvalidInput(t("Paid tiers are not set up here, so no item can need one."))
        return "tier", key, None

    # -- review ----------------------------------------------------------------------------

    async def queue(self, guild_id: int, caller: Caller) -> list[ItemView]:
        """Submissions waiting for a moderator, oldest first."""
        self.core.require_moderator(guild_id, caller)
        async with self.core.db.read() as session:
            rows = await queries.items(session, guild_id, status="pending")
        return [item_view(r) for r in reversed(rows)]

    async def review(
        self, guild_id: int, caller: Caller, content_id: int, approve: bool, reason: str = ""
    ) -> ItemView:
        """Approve (publish) or reject (with a reason the author receives) a submission."""
        self.core.require_moderator(guild_id, caller)
        reason = reason.strip()
        if not approve and not reason:
            raise InvalidInput(t("Say why, so the author can improve it."))
        if len(reason) > REASON_MAX:
            raise InvalidInput(t("The reason is too long."))
        async with self.core.db.transaction() as session:
            row = await self.core.item_row(session, guild_id, content_id)
            if row.status != "pending":
                raise InvalidInput(t("That item is not waiting for review."))
            row.status = "published" if approve else "rejected"
            row.review_reason, row.reviewed_by = reason, caller.user_id
            await queries.save_item(session, row)
        if approve:
            text = t("Your submission “{title}” was approved and is in the library.",
                     title=row.title)  # fmt: skip
        else:
            text = t("Your submission “{title}” was not accepted: {reason}",
                     title=row.title, reason=reason)  # fmt: skip
        await self.core.tell_member(guild_id, row.created_by, text)
        return item_view(row)

    # -- members ---------------------------------------------------------------------------

    async def page(
        self, guild_id: int, user_id: int, *, tag: str = "", query: str = "", page: int = 0
    ) -> LibraryPage:
        """One page of the library for a member: "for you" first, then the newest."""
        async with self.core.db.read() as session:
            rows = await queries.items(session, guild_id)
            if query.strip():
                found = await queries.matching_ids(session, guild_id, query)
                rows = [r for r in rows if r.id in found]
            joined, paid = await queries.dates(session, guild_id, user_id)
        wanted = tag.strip().lower()
        if wanted:
            rows = [r for r in rows if wanted in (x.lower() for x in r.tags)]
        now = self._now()
        opened = await self._opened(guild_id, user_id)
        entries = []
        for row in rows:
            unlocks = drip_unlocks_at(row, joined, paid)
            if is_timed(row) and (unlocks is None or unlocks > now):
                continue  # not out yet for this member
            entries.append(LibraryEntry(item_view(row), True, (row.id or 0) in opened))
        entries.sort(key=lambda e: e.opened)  # stable: unopened (for you) first, newest first
        pages = max(1, ceil(len(entries) / PAGE_SIZE))
        page = min(max(page, 0), pages - 1)
        chunk = entries[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
        return LibraryPage(tuple(chunk), page, pages, len(entries))

    async def _opened(self, guild_id: int, user_id: int) -> set[int]:
        async with self.core.db.read() as session:
            return await opened_content_ids(session, guild_id, user_id)

    async def choices(self, guild_id: int, typed: str) -> list[tuple[int, str]]:
        """(id, title) for autocomplete."""
        async with self.core.db.read() as session:
            return await queries.titles_like(session, guild_id, typed)

    async def open(
        self, guild_id: int, user_id: int, content_id: int, *, drop_id: int = 0,
        channel_id: int | None = None,
    ) -> Opened:  # fmt: skip
        """A member opens an item: the whole of it when entitled, else why not."""
        async with self.core.db.read() as session:
            row = await self.core.item_row(session, guild_id, content_id)
            joined, paid = await queries.dates(session, guild_id, user_id)
        if row.status != "published":
            raise InvalidInput(t("That item is not published."))
        view = item_view(row)
        locked = await self._locked(guild_id, user_id, row, (joined, paid), drop_id)
        now = self._now()
        if locked is not None:
            if locked.tier_key:
                self.core.interaction_log.record(
                    guild_id, user_id, Kind.DROP_UPSELL, now, channel_id=channel_id,
                    ref=str(content_id), meta={"tier": locked.tier_key, "drop": drop_id},
                )  # fmt: skip
            return locked
        self.core.interaction_log.record(
            guild_id, user_id, Kind.DROP_OPEN, now, channel_id=channel_id, ref=str(content_id),
            meta={"drop": drop_id} if drop_id else None,
        )  # fmt: skip
        await self.core.bus.publish(
            ContentOpened(guild_id, now, user_id=user_id, drop_id=drop_id, content_id=content_id)
        )
        return Opened(view, body=row.body, drop_id=drop_id)

    async def _locked(
        self,
        guild_id: int,
        user_id: int,
        row: ContentItem,
        dates: tuple[datetime | None, datetime | None],
        drop_id: int,
    ) -> Opened | None:
        view = item_view(row)
        if row.access == "tier" and row.tier_key:
            tiers = await self.core.standing.active_tier_keys(guild_id, user_id) if (
                self.core.standing) else frozenset()  # fmt: skip
            if row.tier_key not in tiers:
                return Opened(view, allowed=False, tier_key=row.tier_key, drop_id=drop_id)
        if row.access == "level" and row.level is not None:
            level = await self.core.levels.level_of(guild_id, user_id) if (
                self.core.levels) else 0  # fmt: skip
            if level < row.level:
                return Opened(view, allowed=False, level=row.level, drop_id=drop_id)
        if is_timed(row) and not drop_id:
            unlocks = drip_unlocks_at(row, *dates)
            if unlocks is None or unlocks > self._now():
                return Opened(view, allowed=False, unlocks_at=unlocks, drop_id=drop_id)
        return None

    def _now(self) -> datetime:
        return self.core.clock.now()


def parse_tags(typed: str) -> list[str]:
    """Comma- or space-separated tags, lower-case, unique, bounded."""
    tags: list[str] = []
    for raw in re.split(r"[,\s]+", typed.lower()):
        tag = raw.strip().lstrip("#")
        if not tag:
            continue
        if len(tag) > TAG_MAX:
            raise InvalidInput(t("A tag of at most {n} characters, please.", n=TAG_MAX))
        if tag not in tags:
            tags.append(tag)
    if len(tags) > TAGS_MAX:
        raise InvalidInput(t("At most {n} tags, please.", n=TAGS_MAX))
    return tags
