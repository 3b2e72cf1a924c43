"""/privacy with the real bot: the export file, deletion behind a confirm button, the
opt-out, and a second member untouched."""

from __future__ import annotations

import json

from sandbox.community import Community
from sandbox.discord import Person
from tests.e2e.helpers import eventually_logged, member_row
from tests.services.privacy.support import places_holding

CONFIRM_KEEP = "lyceum:privacy:delete:keep"
CONFIRM_STOP = "lyceum:privacy:delete:stop"


async def _member(world: Community, name: str) -> Person:
    person = await world.guild.join(name)
    await person.say(world.channel("general"), "hello")
    await eventually_logged(world, user_id=person.id, kind="message")
    return person


async def test_privacy_info_names_what_is_kept_and_the_policy(community: Community) -> None:
    alice = await _member(community, "alice")

    reply = await alice.run("/privacy info")

    assert reply.ephemeral and "never what you write" in reply.content
    assert "docs/privacy.md" in reply.content


async def test_export_sends_a_private_json_file_with_the_members_data(
    community: Community,
) -> None:
    alice = await _member(community, "alice")

    reply = await alice.run("/privacy export")

    assert reply.ephemeral
    [file] = reply.files
    data = json.loads(file.data)
    assert data["user_id"] == str(alice.id)
    kinds = {row["kind"] for row in data["features"]["activity"]["interactions"]}
    assert {"join", "message"} <= kinds


async def test_delete_asks_first_and_changes_nothing_until_confirmed(
    community: Community,
) -> None:
    alice = await _member(community, "alice")

    prompt = await alice.run("/privacy delete")

    assert prompt.ephemeral and "cannot be undone" in prompt.content
    assert [b["custom_id"] for b in prompt.buttons] == [CONFIRM_KEEP]
    row = await member_row(community, alice.id)
    assert row is not None and row.in_guild


async def test_confirmed_deletion_with_opt_out_leaves_the_id_nowhere_and_bob_untouched(
    community: Community,
) -> None:
    alice = await _member(community, "alice")
    bob = await _member(community, "bob")
    prompt = await alice.run("/privacy delete", stop_recording=True)

    done = await alice.click(prompt, CONFIRM_STOP)
    await alice.say(community.channel("general"), "still here")
    await bob.say(community.channel("general"), "me too")
    await eventually_logged(community, count=2, user_id=bob.id, kind="message")
    await community.interaction_log.flush()

    assert done.ephemeral and "Done" in done.content
    assert await places_holding(community.db, alice.id) == []
    bob_row = await member_row(community, bob.id)
    assert bob_row is not None and bob_row.in_guild


async def test_a_member_holding_a_paid_tier_is_asked_to_cancel_before_deleting(
    community: Community,
) -> None:
    alice = await _member(community, "alice")
    mod = await community.moderator()
    await mod.run("/membership grant", member=alice, tier="pro")

    reply = await alice.run("/privacy delete")

    assert reply.ephemeral and "still hold a paid tier (pro)" in reply.content
    assert reply.buttons == []
    row = await member_row(community, alice.id)
    assert row is not None and row.user_id == alice.id
