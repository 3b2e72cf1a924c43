"""Modals and short-lived views: the content form, the schedule confirmation, the pager,
the review queue."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from datetime import datetime
from typing import Any

import discord

from bot.core.access import Caller
from bot.core.text import t
from bot.discord_limits import respond
from bot.discord_ports import caller_of
from bot.error_handler import ErrorHandlingModal, ErrorHandlingView
from bot.services.drops import DropPreview, DropService, ItemInput, ItemView
from bot.services.drops.views import BODY_MAX, LINK_MAX, REASON_MAX, SUMMARY_MAX, TITLE_MAX
from cogs.drops.components import ItemButton
from cogs.drops.render import drop_line, item_line, library_text

VIEW_TIMEOUT_S = 600.0
Save = Callable[[discord.Interaction, ItemInput], Awaitable[ItemView]]


class ContentModal(ErrorHandlingModal):
    """Title, summary, body, link, tags; access and timing come from the command's options."""

    def __init__(self, title: str, save: Save, extra: dict[str, Any], item: ItemView | None = None,
                 body: str = "") -> None:  # fmt: skip
        super().__init__(title=title[:45], timeout=VIEW_TIMEOUT_S)
        self._save, self._extra = save, extra
        self.item_title: discord.ui.TextInput[ContentModal] = discord.ui.TextInput(
            label=t("Title"), max_length=TITLE_MAX, default=item.title if item else None
        )
        self.summary: discord.ui.TextInput[ContentModal] = discord.ui.TextInput(
            label=t("Summary (the teaser)"), style=discord.TextStyle.paragraph, required=False,
            max_length=SUMMARY_MAX, default=item.summary if item else None,
        )  # fmt: skip
        self.body: discord.ui.TextInput[ContentModal] = discord.ui.TextInput(
            label=t("Body"), style=discord.TextStyle.paragraph, required=False,
            max_length=BODY_MAX, default=body or None,
        )  # fmt: skip
        self.link: discord.ui.TextInput[ContentModal] = discord.ui.TextInput(
            label=t("Link (https://...)"), required=False, max_length=LINK_MAX,
            default=item.link if item and item.link else None,
        )  # fmt: skip
        self.tags: discord.ui.TextInput[ContentModal] = discord.ui.TextInput(
            label=t("Tags (comma separated)"), required=False, max_length=200,
            default=", ".join(item.tags) if item else None,
        )  # fmt: skip
        for field in (self.item_title, self.summary, self.body, self.link, self.tags):
            self.add_item(field)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        data = ItemInput(
            title=self.item_title.value, summary=self.summary.value, body=self.body.value,
            link=self.link.value, tags=self.tags.value, **self._extra,
        )  # fmt: skip
        item = await self._save(interaction, data)
        if item.status == "pending":
            await respond(interaction, t("Submitted for review: {line}", line=item_line(item)))
        else:
            await respond(interaction, t("Saved: {line}", line=item_line(item)))


class ConfirmDrop(ErrorHandlingView):
    """Confirm (one button per instant: two on a DST fold) or Cancel a drop preview."""

    def __init__(self, service: DropService, caller: Caller, guild_id: int, preview: DropPreview
                 ) -> None:  # fmt: skip
        super().__init__(timeout=VIEW_TIMEOUT_S)
        self._service, self._caller, self._guild_id = service, caller, guild_id
        self._preview = preview
        for n, instant in enumerate(preview.instants):
            label = t("Confirm") if len(preview.instants) == 1 else (
                t("The first one") if n == 0 else t("The second one"))  # fmt: skip
            button: discord.ui.Button[ConfirmDrop] = discord.ui.Button(
                label=label, style=discord.ButtonStyle.success
            )
            button.callback = self._confirmer(instant)  # type: ignore[method-assign, assignment]
            self.add_item(button)
        cancel: discord.ui.Button[ConfirmDrop] = discord.ui.Button(
            label=t("Cancel"), style=discord.ButtonStyle.secondary
        )
        cancel.callback = self._cancel  # type: ignore[method-assign]
        self.add_item(cancel)

    def _confirmer(
        self, instant: datetime
    ) -> Callable[[discord.Interaction], Coroutine[Any, Any, None]]:
        async def confirm(interaction: discord.Interaction) -> None:
            view = await self._service.drops.confirm(
                self._guild_id, caller_of(interaction), self._preview, instant
            )
            self.stop()
            await interaction.response.edit_message(
                content=t("Scheduled: {line}", line=drop_line(view)), view=None
            )

        return confirm

    async def _cancel(self, interaction: discord.Interaction) -> None:
        self.stop()
        await interaction.response.edit_message(content=t("Nothing was scheduled."), view=None)


class LibraryPager(ErrorHandlingView):
    """/library's page: Open per item, previous and next."""

    def __init__(self, service: DropService, guild_id: int, user_id: int, tag: str, query: str,
                 page: int, pages: int, content_ids: list[int]) -> None:  # fmt: skip
        super().__init__(timeout=VIEW_TIMEOUT_S)
        self._service, self._guild_id, self._user_id = service, guild_id, user_id
        self._tag, self._query, self._page = tag, query, page
        for content_id in content_ids:
            self.add_item(ItemButton(content_id, t("Open #{id}", id=content_id)))
        if pages > 1:
            back: discord.ui.Button[LibraryPager] = discord.ui.Button(
                label=t("Previous"), disabled=page == 0, row=1
            )
            back.callback = self._turn(-1)  # type: ignore[method-assign, assignment]
            forward: discord.ui.Button[LibraryPager] = discord.ui.Button(
                label=t("Next"), disabled=page >= pages - 1, row=1
            )
            forward.callback = self._turn(1)  # type: ignore[method-assign, assignment]
            self.add_item(back)
            self.add_item(forward)

    def _turn(self, step: int) -> Callable[[discord.Interaction], Coroutine[Any, Any, None]]:
        async def turn(interaction: discord.Interaction) -> None:
            text, view = await library_reply(
                self._service, self._guild_id, self._user_id, self._tag, self._query,
                self._page + step,
            )  # fmt: skip
            await interaction.response.edit_message(content=text, view=view)

        return turn


async def library_reply(service: DropService, guild_id: int, user_id: int, tag: str, query: str,
                        page: int) -> tuple[str, LibraryPager]:  # fmt: skip
    """The text and components of one /library page."""
    found = await service.library.page(guild_id, user_id, tag=tag, query=query, page=page)
    ids = [entry.item.id for entry in found.entries]
    view = LibraryPager(service, guild_id, user_id, tag, query, found.page, found.pages, ids)
    return library_text(found), view


class ReasonModal(ErrorHandlingModal):
    """Why a submission is rejected (the author receives it)."""

    def __init__(self, service: DropService, guild_id: int, content_id: int) -> None:
        super().__init__(title=t("Reject submission"), timeout=VIEW_TIMEOUT_S)
        self._service, self._guild_id, self._content_id = service, guild_id, content_id
        self.reason: discord.ui.TextInput[ReasonModal] = discord.ui.TextInput(
            label=t("Reason (sent to the author)"), style=discord.TextStyle.paragraph,
            max_length=REASON_MAX,
        )  # fmt: skip
        self.add_item(self.reason)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        item = await self._service.library.review(
            self._guild_id, caller_of(interaction), self._content_id, False, self.reason.value
        )
        await respond(interaction, t("Rejected: {line}", line=item_line(item)))


class ReviewQueue(ErrorHandlingView):
    """Approve or reject each waiting submission."""

    def __init__(self, service: DropService, guild_id: int, items: list[ItemView]) -> None:
        super().__init__(timeout=VIEW_TIMEOUT_S)
        self._service, self._guild_id = service, guild_id
        for row, item in enumerate(items[:5]):
            approve: discord.ui.Button[ReviewQueue] = discord.ui.Button(
                label=t("Approve #{id}", id=item.id), style=discord.ButtonStyle.success, row=row
            )
            approve.callback = self._approver(item.id)  # type: ignore[method-assign, assignment]
            reject: discord.ui.Button[ReviewQueue] = discord.ui.Button(
                label=t("Reject #{id}", id=item.id), style=discord.ButtonStyle.danger, row=row
            )
            reject.callback = self._rejecter(item.id)  # type: ignore[method-assign, assignment]
            self.add_item(approve)
            self.add_item(reject)

    def _approver(
        self, content_id: int
    ) -> Callable[[discord.Interaction], Coroutine[Any, Any, None]]:
        async def approve(interaction: discord.Interaction) -> None:
            item = await self._service.library.review(
                self._guild_id, caller_of(interaction), content_id, True
            )
            await respond(interaction, t("Approved: {line}", line=item_line(item)))

        return approve

    def _rejecter(
        self, content_id: int
    ) -> Callable[[discord.Interaction], Coroutine[Any, Any, None]]:
        async def reject(interaction: discord.Interaction) -> None:
            await interaction.response.send_modal(
                ReasonModal(self._service, self._guild_id, content_id)
            )

        return reject
