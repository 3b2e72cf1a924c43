"""/library for members, the review queue for submissions, drip per member."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sandbox.community import Community
from tests.e2e.drops.drops_support import add_item, advance, drops_world, service


async def test_library_is_private_and_searches_titles_summaries_and_tags(
    tmp_path: Path, database_url: str
) -> None:
    async with drops_world(tmp_path, database_url) as world:
        mod = await world.moderator()
        await add_item(world, mod, "Async in depth", tags="python")
        await add_item(world, mod, "Hiring juniors", tags="career")
        alice = await world.guild.join("alice")

        by_word = await alice.run("/library", query="asy")
        by_tag = await alice.run("/library", tag="career")

        assert by_word.ephemeral and "Async in depth" in by_word.content
        assert "Hiring" not in by_word.content
        assert "Hiring juniors" in by_tag.content and "Async" not in by_tag.content


async def test_library_pages_with_buttons(tmp_path: Path, database_url: str) -> None:
    async with drops_world(tmp_path, database_url) as world:
        mod = await world.moderator()
        for n in range(7):
            await add_item(world, mod, f"Lesson {n}")
        alice = await world.guild.join("alice")

        first = await alice.run("/library")
        first_text = first.content
        second = await alice.click(first, "Next")

        assert "page 1 of 2" in first_text and "page 2 of 2" in second.content
        assert "Lesson 0" in second.content and "Lesson 6" in first_text


async def test_an_item_opens_from_the_library(tmp_path: Path, database_url: str) -> None:
    async with drops_world(tmp_path, database_url) as world:
        mod = await world.moderator()
        content_id = await add_item(world, mod)
        alice = await world.guild.join("alice")
        page = await alice.run("/library")

        opened = await alice.click(page, f"Open #{content_id}")

        assert opened.embeds[0]["description"] == "The whole lesson."


async def test_item_options_autocomplete_by_title(tmp_path: Path, database_url: str) -> None:
    async with drops_world(tmp_path, database_url) as world:
        mod = await world.moderator()
        content_id = await add_item(world, mod, "Async in depth")
        await add_item(world, mod, "Hiring juniors")

        choices = await mod.autocomplete("/content remove", "item", "async")

        assert [c["value"] for c in choices] == [str(content_id)]


async def test_a_removed_item_leaves_the_library(tmp_path: Path, database_url: str) -> None:
    async with drops_world(tmp_path, database_url) as world:
        mod = await world.moderator()
        content_id = await add_item(world, mod, "Old news")
        await mod.run("/content remove", item=str(content_id))
        alice = await world.guild.join("alice")

        assert "Old news" not in (await alice.run("/library")).content


async def _author(world: Community) -> None:
    role = world.guild.create_role("Author")
    # The config is read once at start; give this running guild an author role.
    core = service(world).core
    guild = core.settings.guild(world.guild.id)
    assert guild is not None
    object.__setattr__(guild, "sections", {**guild.sections, "drops": _with_author(role.id)})


def _with_author(role_id: int) -> object:
    from bot.services.drops import DropsSettings

    return DropsSettings(author_role_id=role_id)


async def test_a_rejected_submission_tells_the_author_why(
    tmp_path: Path, database_url: str
) -> None:
    async with drops_world(tmp_path, database_url) as world:
        await _author(world)
        dana = await world.guild.join("dana")
        await world.guild.give_role(dana, world.guild.role("Author"))
        form = await dana.run("/content submit")
        sent = await dana.submit_modal(form.modal, {"Title": "My tips", "Body": "Tips."})
        assert "review" in sent.content
        mod = await world.moderator()

        queue = await mod.run("/content review")
        content_id = int(queue.content.split("#", 1)[1].split(" ", 1)[0])
        reason_form = await mod.click(queue, f"Reject #{content_id}")
        await mod.submit_modal(reason_form.modal, {"Reason (sent to the author)": "Too short"})

        assert any("Too short" in m.content for m in dana.dms)
        assert "My tips" not in (await dana.run("/library")).content


async def test_an_approved_submission_enters_the_library(tmp_path: Path, database_url: str) -> None:
    async with drops_world(tmp_path, database_url) as world:
        await _author(world)
        dana = await world.guild.join("dana")
        await world.guild.give_role(dana, world.guild.role("Author"))
        form = await dana.run("/content submit")
        await dana.submit_modal(form.modal, {"Title": "My tips", "Body": "Tips."})
        mod = await world.moderator()
        queue = await mod.run("/content review")
        content_id = int(queue.content.split("#", 1)[1].split(" ", 1)[0])

        await mod.click(queue, f"Approve #{content_id}")

        assert any("approved" in m.content for m in dana.dms)
        assert "My tips" in (await dana.run("/library")).content


async def test_a_member_without_the_author_role_cannot_submit(
    tmp_path: Path, database_url: str
) -> None:
    async with drops_world(tmp_path, database_url) as world:
        alice = await world.guild.join("alice")
        reply = await alice.run("/content submit")
        assert reply.ephemeral and "author role" in reply.content


async def test_a_dripped_item_unlocks_days_after_each_members_join(
    tmp_path: Path, database_url: str
) -> None:
    async with drops_world(tmp_path, database_url) as world:
        mod = await world.moderator()
        await add_item(world, mod, "Week one", drip_days=7)
        early = await world.guild.join("early")
        await world.discord.wait_for(lambda: _known(world, early.id))
        advance(world, timedelta(days=3))
        late = await world.guild.join("late")
        await world.discord.wait_for(lambda: _known(world, late.id))
        advance(world, timedelta(days=4, minutes=1))

        told = await service(world).engagement.unlock_due()

        assert early.id in told and late.id not in told
        assert "Week one" in (await early.run("/library")).content
        assert "Week one" not in (await late.run("/library")).content
        assert any("Week one" in m.content for m in early.dms)


async def _known(world: Community, user_id: int) -> bool:
    from storage.drops import queries

    async with world.db.read() as session:
        joined, _ = await queries.dates(session, world.guild.id, user_id)
    return joined is not None
