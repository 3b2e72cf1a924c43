"""/ask: the form, the quality gates, duplicates before posting, and posting the thread."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

from bot.core.errors import InvalidInput, NotAllowed, NotFound
from bot.core.events import QuestionAsked
from bot.core.kinds import Kind
from bot.core.ports import OutgoingMessage
from bot.core.text import t
from bot.services.qa import duplicates
from bot.services.qa.core import QaCore, view_of
from bot.services.qa.views import (
    ASK_TAGS,
    AskForm,
    AskOutcome,
    Candidate,
    Duplicates,
    Posted,
    QuestionView,
    Refused,
)
from bot.services.qa.wording import DETAILS_MAX, TITLE_MAX, quality_problems
from storage.database import Session
from storage.qa import queries
from storage.qa.models import QaDraft, Question


class Asking:
    """Turns what a member typed into a question thread, after the gates and a duplicate check."""

    def __init__(
        self, core: QaCore, load_reranker: Callable[[], duplicates.Reranker | None]
    ) -> None:
        self._core = core
        self._load_reranker = load_reranker
        self._reranker: duplicates.Reranker | None = None
        self._loaded = False
        self._loading = asyncio.Lock()
        self._frequencies = duplicates.Frequencies()

    async def reranker(self, guild_id: int) -> duplicates.Reranker | None:
        """The re-ranker when the guild uses it (loaded once, off the event loop)."""
        if not self._core.qa(guild_id).rerank:
            return None
        async with self._loading:
            if not self._loaded:
                self._reranker = await asyncio.to_thread(self._load_reranker)
                self._loaded = True
        return self._reranker

    async def preload(self) -> None:
        """Load the re-ranker now when a guild's /ask will use it, so no member waits for it."""
        for guild in self._core.settings.guilds:
            if self._core.channel_id(guild.id) and self._core.qa(guild.id).rerank:
                await self.reranker(guild.id)
                return

    def offered_tags(self, guild_id: int) -> tuple[str, ...]:
        """The tags a question may carry: the forum's (but the solved tag), else the config's."""
        settings = self._core.qa(guild_id)
        channel = self._core.threads.channel(self._core.channel_id(guild_id))
        if channel is not None and channel.forum:
            hidden = {settings.solved_tag} | set(channel.moderated)
            return tuple(tag for tag in channel.tags if tag not in hidden)[:25]
        return settings.tags[:25]

    async def form(self, guild_id: int, user_id: int, draft_id: int = 0) -> AskForm:
        """The modal's contents: empty, or the member's draft to edit."""
        if not self._core.channel_id(guild_id):
            raise InvalidInput(t("Q&A is not set up here yet: ask a moderator to set the channel."))
        tags = self.offered_tags(guild_id)
        max_tags = min(ASK_TAGS, len(tags))
        if not draft_id:
            return AskForm(tags, max_tags)
        async with self._core.db.read() as session:
            draft = await self._own_draft(session, guild_id, user_id, draft_id)
        return AskForm(
            tags, max_tags, draft.title, draft.details,
            tuple(tag for tag in draft.tags if tag in tags), draft_id,
        )  # fmt: skip

    async def _own_draft(
        self, session: Session, guild_id: int, user_id: int, draft_id: int
    ) -> QaDraft:
        draft = await queries.draft(session, draft_id)
        if draft is None or draft.guild_id != guild_id:
            raise NotFound(t("That draft is gone (it was posted or dropped). Run /ask again."))
        if draft.user_id != user_id:
            raise NotAllowed(t("This is someone else's question."))
        return draft

    async def submit(
        self,
        guild_id: int,
        user_id: int,
        title: str,
        details: str,
        tags: Sequence[str],
        draft_id: int = 0,
    ) -> AskOutcome:
        """Check the draft; refuse it with reasons, offer duplicates, or post it."""
        title, details = " ".join(title.split())[:TITLE_MAX], details.strip()[:DETAILS_MAX]
        offered = self.offered_tags(guild_id)
        chosen = [tag for tag in dict.fromkeys(tags) if tag in offered]
        if len(chosen) < len(set(tags)):
            raise InvalidInput(t("That tag is not offered here any more; run /ask again."))
        if len(chosen) > ASK_TAGS:
            raise InvalidInput(t("Pick at most {n} tags.", n=ASK_TAGS))
        problems = quality_problems(title, details)
        found: list[Candidate] = []
        if not problems:  # searched before the writer is taken: it waits for nobody
            reranker = await self.reranker(guild_id)
            async with self._core.db.read() as session:
                found = await duplicates.find(
                    session, guild_id, title, details,
                    reranker=reranker, frequencies=self._frequencies,
                )  # fmt: skip
        async with self._core.db.transaction() as session:
            if draft_id:
                draft = await self._own_draft(session, guild_id, user_id, draft_id)
            else:
                draft = QaDraft(
                    guild_id=guild_id, user_id=user_id, created_at=self._core.clock.now()
                )
            draft.title, draft.details, draft.tags = title, details, chosen
            await queries.add(session, draft)
            assert draft.id is not None
            if problems:
                return Refused(draft.id, problems)
        if found:
            return Duplicates(draft.id, tuple(found))
        return await self.post(guild_id, user_id, draft.id)

    async def post(self, guild_id: int, user_id: int, draft_id: int) -> Posted:
        """Post the draft as a question thread ("Post anyway", or no duplicate found)."""
        core = self._core
        channel_id = core.channel_id(guild_id)
        if not channel_id:
            raise InvalidInput(t("Q&A is not set up here yet: ask a moderator to set the channel."))
        async with core.db.read() as session:
            draft = await self._own_draft(session, guild_id, user_id, draft_id)
        if quality_problems(draft.title, draft.details):
            raise InvalidInput(t("This draft does not pass the checks yet; edit it first."))
        channel = core.threads.channel(channel_id)
        forum_tags = draft.tags if channel is not None and channel.forum else []
        thread_id = await core.threads.open(
            channel_id, draft.title, _first_message(draft), forum_tags
        )
        now = core.clock.now()
        async with core.db.transaction() as session:
            question = Question(
                guild_id=guild_id, thread_id=thread_id, channel_id=channel_id, asker_id=user_id,
                title=draft.title, details=draft.details, tags=list(draft.tags),
                created_at=now, last_activity_at=now,
            )  # fmt: skip
            await queries.add(session, question)
            await queries.drop_draft(session, draft_id)
            view = view_of(question)
        core.interaction_log.record(
            guild_id, user_id, Kind.QUESTION, now, channel_id=thread_id, ref=str(view.id)
        )
        await core.bus.publish(QuestionAsked(guild_id, now, question_id=view.id, asker_id=user_id))
        return Posted(view)

    async def solved_it(
        self, guild_id: int, user_id: int, draft_id: int, question_id: int
    ) -> QuestionView:
        """ "This solved it": the earlier question helped; the draft is dropped, nothing posted."""
        now = self._core.clock.now()
        async with self._core.db.transaction() as session:
            await self._own_draft(session, guild_id, user_id, draft_id)
            question = await self._core.question_by_id(session, guild_id, question_id)
            question.helped_count += 1
            await queries.add(session, question)
            await queries.drop_draft(session, draft_id)
            view = view_of(question)
        self._core.interaction_log.record(
            guild_id, user_id, Kind.BUTTON, now, channel_id=question.thread_id,
            ref=str(question_id), meta={"qa": "solved_it"},
        )  # fmt: skip
        return view


def _first_message(draft: QaDraft) -> OutgoingMessage:
    asker = f"<@{draft.user_id}>"
    tags = ", ".join(draft.tags)
    lines = [
        t("**Asked by** {asker}", asker=asker) + (f" · {tags}" if tags else ""),
        "",
        draft.details,
        "",
        t(
            "-# Helping? Reply in this thread. Asker: when an answer solves it, right-click "
            "(or long-press) it → Apps → **Mark as answer**. Add code, errors and what you "
            "tried as you learn more."
        ),
    ]
    return OutgoingMessage(content="\n".join(lines))
