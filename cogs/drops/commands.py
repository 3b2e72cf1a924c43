"""`/content ...` and `/drop ...` for moderators (and authors), `/library` for members, and
the listeners that count likes and comments on drop posts."""

from __future__ import annotations

from typing import Any, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.access import MODERATORS
from bot.core.text import t
from bot.discord_limits import BoundedText, fit_choices, respond
from bot.discord_ports import audience, audience_extras, caller_of, declared_permissions
from bot.services.drops import DropService, ItemInput, ItemView
from cogs.drops.forms import ConfirmDrop, ContentModal, ReviewQueue, library_reply
from cogs.drops.render import drops_text, item_line, preview_text, review_text

When = app_commands.Transform[str, BoundedText(64, what=lambda: t("A time"))]
Repeat = app_commands.Transform[str, BoundedText(80, what=lambda: t("A repeat rule"))]
Access = app_commands.Transform[str, BoundedText(40, what=lambda: t("An access rule"))]
Search = app_commands.Transform[str, BoundedText(100, what=lambda: t("A search"))]
Tag = app_commands.Transform[str, BoundedText(30, what=lambda: t("A tag"))]
Item = app_commands.Transform[str, BoundedText(20, what=lambda: t("An item"))]
Kind = Literal["post", "event"]
DripFrom = Literal["join", "paid"]


def _service(interaction: discord.Interaction) -> DropService:
    return interaction.client.services.get(DropService)  # type: ignore[attr-defined, no-any-return]


async def item_autocomplete(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    """Items by title (the id is sent)."""
    if interaction.guild_id is None:
        return []
    found = await _service(interaction).library.choices(interaction.guild_id, current)
    return fit_choices(
        app_commands.Choice(name=f"#{i} {title}", value=str(i)) for i, title in found
    )


async def access_autocomplete(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    """free, the configured tiers, a level."""
    guild = _service(interaction).core.settings.guild(interaction.guild_id or 0)
    options = ["free", *(f"tier:{tier.key}" for tier in (guild.tiers if guild else ()))]
    options += [f"level {n}" for n in (1, 2, 3, 5, 10)]
    return fit_choices(
        app_commands.Choice(name=o, value=o) for o in options if current.lower() in o
    )


def _id(value: str) -> int:
    digits = value.strip().lstrip("#")
    return int(digits) if digits.isascii() and digits.isdigit() and len(digits) < 19 else 0


class ContentCommands(commands.GroupCog, group_name="content"):
    """The library: add, edit, remove, submit, review."""

    def __init__(self, service: DropService) -> None:
        self.service = service
        super().__init__()

    def _extra(self, access: str | None, kind: str, drip_days: int | None, drip_from: str,
               unlock: str) -> dict[str, Any]:  # fmt: skip
        return {"access": access or "free", "kind": kind, "drip_days": drip_days,
                "drip_from": drip_from, "unlock": unlock}  # fmt: skip

    @audience(MODERATORS)
    @app_commands.command(description="Add an item to the library (moderators).")
    @app_commands.guild_only()
    @app_commands.autocomplete(access=access_autocomplete)
    @app_commands.describe(
        access="free, tier:<key> or level <n>", kind="A post or a live session (event)",
        drip_days="Unlock N days after each member's join (or paid start)",
        drip_from="Count drip days from the join or the paid start",
        unlock="Unlock for everyone at this time (wins over drip)",
    )  # fmt: skip
    async def add(self, interaction: discord.Interaction, access: Access | None = None,
                  kind: Kind = "post", drip_days: app_commands.Range[int, 0, 3650] | None = None,
                  drip_from: DripFrom = "join", unlock: When | None = None) -> None:  # fmt: skip
        assert interaction.guild_id is not None
        self.service.core.require_moderator(interaction.guild_id, caller_of(interaction))
        guild_id = interaction.guild_id

        async def save(submitted: discord.Interaction, data: ItemInput) -> ItemView:
            return await self.service.library.add(guild_id, caller_of(submitted), data)

        extra = self._extra(access, kind, drip_days, drip_from, unlock or "")
        self.service.library.check_options(guild_id, extra["access"], extra["unlock"])
        await interaction.response.send_modal(ContentModal(t("Add to the library"), save, extra))

    @audience(MODERATORS)
    @app_commands.command(description="Change an item (moderators).")
    @app_commands.guild_only()
    @app_commands.autocomplete(item=item_autocomplete, access=access_autocomplete)
    async def edit(self, interaction: discord.Interaction, item: Item, access: Access | None = None,
                   kind: Kind = "post", drip_days: app_commands.Range[int, 0, 3650] | None = None,
                   drip_from: DripFrom = "join", unlock: When | None = None) -> None:  # fmt: skip
        assert interaction.guild_id is not None
        guild_id, content_id = interaction.guild_id, _id(item)
        caller = caller_of(interaction)
        current = await self.service.library.item(guild_id, caller, content_id)
        body = await self.service.library.body_of(guild_id, caller, content_id)

        async def save(submitted: discord.Interaction, data: ItemInput) -> ItemView:
            return await self.service.library.edit(guild_id, caller_of(submitted), content_id, data)

        extra = self._extra(access, kind, drip_days, drip_from, unlock or "")
        self.service.library.check_options(guild_id, extra["access"], extra["unlock"])
        await interaction.response.send_modal(
            ContentModal(t("Edit #{id}", id=content_id), save, extra, current, body)
        )

    @audience(MODERATORS)
    @app_commands.command(description="Remove an item (kept, hidden; its drops are canceled).")
    @app_commands.guild_only()
    @app_commands.autocomplete(item=item_autocomplete)
    async def remove(self, interaction: discord.Interaction, item: Item) -> None:
        assert interaction.guild_id is not None
        view = await self.service.library.remove(
            interaction.guild_id, caller_of(interaction), _id(item)
        )
        await respond(interaction, t("Removed: {line}", line=item_line(view)))

    @audience(None)  # members with the author role: the service checks the role
    @app_commands.command(description="Submit an item for review (authors).")
    @app_commands.guild_only()
    async def submit(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        guild_id = interaction.guild_id
        self.service.core.require_author(guild_id, caller_of(interaction))

        async def save(submitted: discord.Interaction, data: ItemInput) -> ItemView:
            return await self.service.library.submit(guild_id, caller_of(submitted), data)

        extra = self._extra("free", "post", None, "join", "")
        await interaction.response.send_modal(ContentModal(t("Submit for review"), save, extra))

    @audience(MODERATORS)
    @app_commands.command(description="Submissions waiting for review (moderators).")
    @app_commands.guild_only()
    async def review(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        items = await self.service.library.queue(interaction.guild_id, caller_of(interaction))
        view = ReviewQueue(self.service, interaction.guild_id, items) if items else None
        await respond(interaction, review_text(items), view=view)


@app_commands.guild_only()
@app_commands.default_permissions(declared_permissions(MODERATORS))
class DropCommands(commands.GroupCog, group_name="drop", group_extras=audience_extras(MODERATORS)):
    """Scheduled drops."""

    def __init__(self, service: DropService) -> None:
        self.service = service
        super().__init__()

    @app_commands.command(description="Schedule an item to be posted.")
    @app_commands.autocomplete(item=item_autocomplete)
    @app_commands.describe(
        item="The library item", channel="Where to post it (default: here)",
        when="e.g. 2026-12-01 09:00, tomorrow 9am, in 2h, next mon 18:00 (server's timezone)",
        repeat="daily, weekly or a cron expression (e.g. 0 9 * * mon)",
        location="A live session away from Discord: where it takes place",
    )  # fmt: skip
    async def schedule(
        self, interaction: discord.Interaction, item: Item, when: When,
        channel: discord.TextChannel | discord.VoiceChannel | discord.StageChannel | None = None,
        repeat: Repeat | None = None, location: app_commands.Range[str, 1, 100] | None = None,
    ) -> None:  # fmt: skip
        assert interaction.guild_id is not None and interaction.channel_id is not None
        caller = caller_of(interaction)
        where = channel if channel is not None else interaction.channel
        voice = isinstance(where, discord.VoiceChannel | discord.StageChannel)
        preview = await self.service.drops.preview(
            interaction.guild_id, caller, _id(item), when,
            channel.id if channel is not None else interaction.channel_id, repeat,
            voice_channel=voice, location=location,
        )  # fmt: skip
        view = ConfirmDrop(self.service, caller, interaction.guild_id, preview)
        await respond(interaction, preview_text(preview), view=view)

    @app_commands.command(name="list", description="Drops still to post.")
    async def list_(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        views = await self.service.drops.list(interaction.guild_id, caller_of(interaction))
        await respond(interaction, drops_text(views))

    @app_commands.command(description="Cancel a scheduled drop.")
    async def cancel(
        self, interaction: discord.Interaction, drop: app_commands.Range[int, 1]
    ) -> None:
        assert interaction.guild_id is not None
        view = await self.service.drops.cancel(interaction.guild_id, caller_of(interaction), drop)
        await respond(interaction, t("Canceled drop #{id}.", id=view.id))

    @app_commands.command(name="post-now", description="Post a drop now.")
    async def post_now(
        self, interaction: discord.Interaction, drop: app_commands.Range[int, 1]
    ) -> None:
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        view = await self.service.drops.post_now(interaction.guild_id, caller_of(interaction), drop)
        await respond(interaction, t("Drop #{id} is {status}.", id=view.id, status=view.status))


class MemberLibrary(commands.Cog):
    """`/library` and the listeners for likes and comments."""

    def __init__(self, service: DropService) -> None:
        self.service = service

    @audience(None)
    @app_commands.command(description="Browse and search the library (only you see it).")
    @app_commands.guild_only()
    @app_commands.describe(tag="Only items with this tag", query="Words in the title or summary")
    async def library(self, interaction: discord.Interaction, tag: Tag | None = None,
                      query: Search | None = None) -> None:  # fmt: skip
        assert interaction.guild_id is not None
        text, view = await library_reply(
            self.service, interaction.guild_id, interaction.user.id, tag or "", query or "", 0
        )
        await respond(interaction, text, view=view)

    @commands.Cog.listener()
    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        if payload.guild_id is None or (payload.member is not None and payload.member.bot):
            return
        self.service.engagement.reacted(
            payload.guild_id, payload.user_id, payload.channel_id, payload.message_id,
            str(payload.emoji),
        )  # fmt: skip

    @commands.Cog.listener()
    async def on_voice_state_update(
        self, member: discord.Member, before: discord.VoiceState, after: discord.VoiceState
    ) -> None:
        if member.bot or after.channel is None or before.channel == after.channel:
            return
        self.service.sessions.voice_joined(member.guild.id, member.id, after.channel.id)

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if message.guild is None or message.author.bot or message.is_system():
            return
        self.service.engagement.replied(
            message.guild.id, message.author.id, message.channel.id, message.id
        )
