"""Buttons (persistent views) and modals."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sandbox.discord import DiscordSandbox, SandboxGuild

if TYPE_CHECKING:
    from tests.sandbox.discord.conftest import SandboxTestBot


async def test_persistent_button_click_reaches_view(
    guild: SandboxGuild, bot: SandboxTestBot
) -> None:
    mod, alice = await guild.join("mod"), await guild.join("alice")
    posted = await mod.run("/drop")
    assert [b["custom_id"] for b in posted.buttons] == ["test:open"]
    reply = await alice.click(posted, "Open")
    assert (reply.content, reply.ephemeral) == ("opened", True)
    # The row is component 1 and the button 2, as in Discord's own example of this payload.
    assert reply.interaction.data == {"component_type": 2, "id": 2, "custom_id": "test:open"}


async def test_modal_submit_delivers_fields(guild: SandboxGuild, bot: SandboxTestBot) -> None:
    alice = await guild.join("alice")
    opened = await alice.run("/ask")
    assert opened.modal is not None
    assert [i["label"] for i in opened.modal.inputs] == ["Title", "Details"]
    reply = await alice.submit_modal(opened.modal, {"Title": "Why?", "details": "Because."})
    assert reply.content == "asked: Why? / Because."


async def test_deferred_button_update_edits_the_clicked_message(
    sandbox: DiscordSandbox, guild: SandboxGuild, bot: SandboxTestBot
) -> None:
    alice = await guild.join("alice")
    posted = await alice.run("/counter")
    clicked = await alice.click(posted, "+1")
    assert clicked.type == 6
    await sandbox.wait_for(lambda: posted.content == "count: 1")
    assert clicked.message is posted.message
    assert sandbox.calls.last().route == (
        "PATCH /webhooks/{application_id}/{interaction_token}/messages/@original"
    )


async def test_select_menu_choice_updates_the_message(
    guild: SandboxGuild, bot: SandboxTestBot
) -> None:
    alice = await guild.join("alice")
    menu = await alice.run("/pick")
    reply = await alice.select(menu, "test:pick", ["pro", "plus"])
    assert (reply.type, reply.content, reply.ephemeral) == (7, "picked pro, plus", True)
